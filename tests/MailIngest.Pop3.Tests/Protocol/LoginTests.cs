using System.Text;
using MailIngest.Configuration;
using MailIngest.Login;
using MailIngest.Sources;

namespace MailIngest.Pop3.Tests.Protocol;

/// <summary>
/// Logins other than SASL PLAIN, replayed through <see cref="Pop3MailServer"/> with a protocol log: APOP, USER/PASS,
/// SASL with continuations; none of them writes a secret to the log, and each is tried once.
/// </summary>
public sealed class LoginTests : IDisposable
{
    private readonly string _logPath = Path.GetTempFileName();
    private readonly ProtocolLog _log;

    public LoginTests() => _log = new ProtocolLog(_logPath);

    public void Dispose()
    {
        _log.Dispose();
        File.Delete(_logPath);
    }

    [Fact]
    public async Task Open_GreetingWithTimestampAndNoSasl_LogsInWithApopAndLogsNoDigest()
    {
        // RFC 1939 section 7's example: this timestamp and password give this digest.
        const string Digest = "c4c9334bac560ecc979e58001b3e22fb";
        var options = Transcript.Options("mrose", "tanstaaf");
        var replay = new ReplayServer(
            _log,
            [
                Pop3Exchange.Greeting("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"),
                new("CAPA", "-ERR unknown command\r\n"),
                new($"APOP mrose {Digest}", "+OK mrose's maildrop has 0 messages\r\n"),
                new("CAPA", "-ERR unknown command\r\n"),
                new("STAT", "+OK 0 0\r\n"),
            ]);

        await using (var session = await replay.Server.OpenAsync("support", options, CancellationToken.None))
        {
            Assert.Contains("APOP", session.Info.Capabilities);
        }

        var log = ReadLog();
        Assert.Contains("support C: APOP mrose ********", log, StringComparison.Ordinal);
        Assert.DoesNotContain(Digest, log, StringComparison.Ordinal);
        Assert.DoesNotContain("tanstaaf", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_ServerWithoutSaslOrApop_LogsInWithUserPassAndLogsNoPassword()
    {
        var replay = new ReplayServer(_log, Transcript.LoginWithoutCapa(0));

        await using var session = await replay.Server.OpenAsync("support", Transcript.Options(), CancellationToken.None);

        var log = ReadLog();
        Assert.Contains("support C: PASS ********", log, StringComparison.Ordinal);
        Assert.DoesNotContain(Transcript.Password, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_SaslLogin_AnswersEachChallengeAndLogsNoResponse()
    {
        // LOGIN has no initial response: the user name and password each answer a challenge.
        var user = Convert.ToBase64String(Encoding.ASCII.GetBytes(Transcript.User));
        var password = Convert.ToBase64String(Encoding.ASCII.GetBytes(Transcript.Password));
        var capa = "+OK\r\nUIDL\r\nSASL LOGIN\r\n.\r\n";
        var replay = new ReplayServer(
            _log,
            [
                Pop3Exchange.Greeting("+OK ready\r\n"),
                new("CAPA", capa),
                new("AUTH LOGIN", "+ VXNlcm5hbWU6\r\n"),
                new(user, "+ UGFzc3dvcmQ6\r\n"),
                new(password, "+OK logged in\r\n"),
                new("CAPA", capa),
                new("STAT", "+OK 0 0\r\n"),
            ]);

        await using var session = await replay.Server.OpenAsync("support", Transcript.Options(), CancellationToken.None);

        Assert.True(replay.Connections[0].Completed);
        var log = ReadLog();
        Assert.DoesNotContain(password, log, StringComparison.Ordinal);
        Assert.DoesNotContain(Transcript.Password, log, StringComparison.Ordinal);
        Assert.Contains("support S: + UGFzc3dvcmQ6", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_ServerChallengesAFinishedMechanism_CancelsWithAStarAndReportsARejectedLogin()
    {
        var replay = new ReplayServer([
            Pop3Exchange.Greeting(ServerLogin.Dovecot.Greeting),
            new("CAPA", ServerLogin.Dovecot.CapaBeforeLogin),
            new(Transcript.AuthPlain, "+ \r\n"),
            new("*", "-ERR Authentication cancelled\r\n"),
        ]);

        var error = await Assert.ThrowsAsync<MailServerException>(() => replay.Server.OpenAsync("support", Transcript.Options(), CancellationToken.None));

        Assert.Equal(MailServerFailure.Permanent, error.Failure);
        Assert.Contains("rejected the login", error.Message, StringComparison.Ordinal);
        Assert.True(replay.Connections[0].Completed);
    }

    [Fact]
    public async Task Open_GreetingRefusedWithSysTemp_IsTransient()
    {
        var replay = new ReplayServer([Pop3Exchange.Greeting("-ERR [SYS/TEMP] Too many connections, try later\r\n")]);

        var error = await Assert.ThrowsAsync<MailServerException>(() => replay.Server.OpenAsync("support", Transcript.Options(), CancellationToken.None));

        Assert.Equal(MailServerFailure.Transient, error.Failure);
        Assert.Contains("Too many connections", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_StartTlsWithoutStls_RefusesBeforeLoggingIn()
    {
        var replay = new ReplayServer([Pop3Exchange.Greeting(ServerLogin.Dovecot.Greeting), new("CAPA", ServerLogin.Dovecot.CapaBeforeLogin)]);
        var options = Transcript.Options(security: MailSecurity.StartTls);

        var error = await Assert.ThrowsAsync<MailServerException>(() => replay.Server.OpenAsync("support", options, CancellationToken.None));

        Assert.Equal(MailServerFailure.Permanent, error.Failure);
        Assert.Contains("offers no STLS", error.Message, StringComparison.Ordinal);
        Assert.Equal(["CAPA"], replay.Commands);
    }

    private string ReadLog()
    {
        using var stream = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
