using System.Text;
using MailIngest.Configuration;

namespace MailIngest.Pop3.Tests;

/// <summary>OAuth2 logins as Exchange Online and RFC 7628 servers expect them, replayed.</summary>
public sealed class OAuthTokenTests : IDisposable
{
    private readonly string _tokenFile = Path.GetTempFileName();

    public void Dispose() => File.Delete(_tokenFile);

    [Fact]
    public async Task Open_LongTokenForExchange_IsSentAfterTheContinuationNotOnTheAuthLine()
    {
        // Entra ID access tokens run to thousands of characters, far past POP3's 255-octet command line (RFC 2449).
        var token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + new string('a', 2400) + ".sig";
        await File.WriteAllTextAsync(_tokenFile, token + "\n");
        var response = Convert.ToBase64String(Encoding.ASCII.GetBytes($"user={Transcript.User}\u0001auth=Bearer {token}\u0001\u0001"));
        var replay = new ReplayServer(
        [
            Pop3Exchange.Greeting("+OK The Microsoft Exchange POP3 service is ready.\r\n"),
            new("CAPA", Transcript.ExchangeOnlineCapa),
            new("AUTH XOAUTH2", "+ \r\n"),
            new(response, "+OK User successfully authenticated.\r\n"),
            new("CAPA", Transcript.ExchangeOnlineCapa),
            new("STAT", "+OK 0 0\r\n"),
        ]);
        var options = new MailboxOptions { Host = "outlook.office365.com", Username = Transcript.User, AccessTokenFile = _tokenFile, Security = MailSecurity.None };

        await using var session = await replay.Server.OpenAsync("support", options, CancellationToken.None);

        Assert.Equal(["CAPA", "AUTH XOAUTH2", response, "CAPA", "STAT"], replay.Commands);
    }

    [Fact]
    public async Task Open_ServerOffersOnlyOAuthBearer_SendsHostAndPortWithTheTokenAsItsInitialResponse()
    {
        // RFC 7628's GS2 header and key-value pairs; short enough to ride on the AUTH line.
        const string Token = "short-lived-token";
        await File.WriteAllTextAsync(_tokenFile, Token + "\n");
        var response = Convert.ToBase64String(Encoding.ASCII.GetBytes($"n,a={Transcript.User},\u0001host=pop.example.com\u0001port=110\u0001auth=Bearer {Token}\u0001\u0001"));
        var capa = "+OK\r\nUIDL\r\nSASL OAUTHBEARER\r\n.\r\n";
        var replay = new ReplayServer(
        [
            Pop3Exchange.Greeting("+OK ready\r\n"),
            new("CAPA", capa),
            new($"AUTH OAUTHBEARER {response}", "+OK Logged in.\r\n"),
            new("CAPA", capa),
            new("STAT", "+OK 0 0\r\n"),
        ]);
        var options = new MailboxOptions { Host = "pop.example.com", Port = 110, Username = Transcript.User, AccessTokenFile = _tokenFile, Security = MailSecurity.None };

        await using var session = await replay.Server.OpenAsync("support", options, CancellationToken.None);

        Assert.True(replay.Connections[0].Completed);
    }
}
