using System.Text;
using MailIngest.Configuration;

namespace MailIngest.Pop3.Tests;

/// <summary>OAuth2 logins as Exchange Online expects them, replayed.</summary>
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
            new("CAPA", Transcript.ExchangeCapa),
            new("AUTH XOAUTH2", "+ \r\n"),
            new(response, "+OK User successfully authenticated.\r\n"),
            new("CAPA", Transcript.ExchangeCapa),
            new("STAT", "+OK 0 0\r\n"),
        ]);
        var options = new MailboxOptions { Host = "outlook.office365.com", Username = Transcript.User, AccessTokenFile = _tokenFile, Security = MailSecurity.None };

        await using var session = await replay.Server.OpenAsync("support", options, CancellationToken.None);

        Assert.Equal(["CAPA", "AUTH XOAUTH2", response, "CAPA", "STAT"], replay.Commands);
    }
}
