using System.Text;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Security;

/// <summary>
/// OAuth2 logins end to end: Dovecot's oauth2 passdb checks the token mailingest reads from AccessTokenFile with a
/// loopback introspection endpoint the test runs, which knows only the tokens the test activated.
/// </summary>
public sealed class OAuth2Tests : IAsyncLifetime
{
    private const string User = "oauth";
    private static readonly Dictionary<string, string> DebugLogging = new() { ["Logging__LogLevel__Default"] = "Debug" };

    private readonly string _goodToken = "good-token-" + Guid.NewGuid().ToString("N");
    private IntrospectionEndpoint _introspection = null!;
    private DovecotServer _dovecot = null!;
    private IngestWorkspace _workspace = null!;

    private string TokenPath => Path.Combine(_workspace.Root, "access-token");

    public async Task InitializeAsync()
    {
        _introspection = IntrospectionEndpoint.Start();
        _introspection.Activate(_goodToken, User);
        _dovecot = await DovecotServer.StartAsync(new DovecotOptions { OAuth2IntrospectionUrl = _introspection.Url });
        // The passwd-file entry gives the user a Maildir; its password is never sent by these tests.
        _dovecot.AddUser(User, "unused-password-3d1e");
        _workspace = await IngestWorkspace.CreateAsync(StoreKind.FileSystem);
        _workspace.Configure(User, _dovecot.Host, _dovecot.Port, User, "", new { AccessTokenFile = TokenPath });
    }

    public Task DisposeAsync() => Teardown.DisposeAllAsync(_workspace, _dovecot, _introspection);

    [Fact]
    public async Task Once_GoodToken_LogsInWithXoauth2AndStoresTheMail()
    {
        await _dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await _dovecot.DeliverAsync(User, TestMail.Numbered(2));
        await File.WriteAllTextAsync(TokenPath, _goodToken + "\n");

        var run = await _workspace.OnceAsync(DebugLogging);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, _workspace.Manifests().Count);
        Assert.Contains("logging in with XOAUTH2", run.ToString(), StringComparison.Ordinal);
        Assert.Equal([_goodToken], _introspection.Requests);
        Assert.DoesNotContain(_goodToken, run.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_goodToken, _dovecot.ReadLog(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_WithProtocolLog_RecordsTheLoginWithoutTheToken()
    {
        await _dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await File.WriteAllTextAsync(TokenPath, _goodToken);
        var logPath = Path.Combine(_workspace.Root, "pop3.log");

        var run = await MailIngestProcess.RunAsync(_workspace.Root, null, "once", "--config", _workspace.ConfigPath, "--protocol-log", logPath);

        Assert.True(run.ExitCode == 0, run.ToString());
        var log = await File.ReadAllTextAsync(logPath);
        Assert.Contains("AUTH XOAUTH2", log, StringComparison.Ordinal);
        Assert.DoesNotContain(_goodToken, log, StringComparison.Ordinal);
        var saslResponse = Convert.ToBase64String(Encoding.ASCII.GetBytes($"user={User}\u0001auth=Bearer {_goodToken}\u0001\u0001"));
        Assert.DoesNotContain(saslResponse, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_ImapWithProtocolLog_RecordsTheLoginWithoutTheToken()
    {
        await _dovecot.DeliverAsync(User, "INBOX", TestMail.Numbered(1));
        await File.WriteAllTextAsync(TokenPath, _goodToken);
        _workspace.Configure(User, _dovecot.Host, _dovecot.ImapPort, User, "", new { AccessTokenFile = TokenPath, Protocol = "Imap" });
        var logPath = Path.Combine(_workspace.Root, "imap.log");

        var run = await MailIngestProcess.RunAsync(_workspace.Root, null, "once", "--config", _workspace.ConfigPath, "--protocol-log", logPath);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(_workspace.Manifests());
        var log = await File.ReadAllTextAsync(logPath);
        Assert.Matches("C: A\\d+ AUTHENTICATE (XOAUTH2|OAUTHBEARER)", log);
        Assert.DoesNotContain(_goodToken, log, StringComparison.Ordinal);
        var saslResponse = Convert.ToBase64String(Encoding.ASCII.GetBytes($"user={User}\u0001auth=Bearer {_goodToken}\u0001\u0001"));
        Assert.DoesNotContain(saslResponse, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_ExpiredToken_ExitsWith1AfterOneAttempt()
    {
        var expired = "expired-token-" + Guid.NewGuid().ToString("N");
        await _dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await File.WriteAllTextAsync(TokenPath, expired);

        var run = await _workspace.OnceAsync(DebugLogging);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.True(run.ToString().Contains("rejected the OAuth2 login of 'oauth'", StringComparison.Ordinal), run.ToString() + _dovecot.ReadLog());
        Assert.Contains("AccessTokenFile", run.ToString(), StringComparison.Ordinal);
        // One session, one AUTH, one introspection: a rejected token is neither retried nor followed by a password.
        Assert.Equal([expired], _introspection.Requests);
        Assert.Single(_dovecot.ReadLog().Split('\n'), line => line.Contains("oauth2 failed", StringComparison.Ordinal));
        Assert.Empty(_workspace.Manifests());
        Assert.DoesNotContain(expired, run.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(expired, _dovecot.ReadLog(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_TokenFileRewrittenBetweenRuns_NextRunSendsTheNewToken()
    {
        await _dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await File.WriteAllTextAsync(TokenPath, _goodToken);
        var first = await _workspace.OnceAsync();
        Assert.True(first.ExitCode == 0, first.ToString());

        // What a sidecar does when the old token nears its expiry: the provider stops accepting it, the file gets a new one.
        var renewed = "renewed-token-" + Guid.NewGuid().ToString("N");
        _introspection.Revoke(_goodToken);
        _introspection.Activate(renewed, User);
        await File.WriteAllTextAsync(TokenPath, renewed + "\n");
        await _dovecot.DeliverAsync(User, TestMail.Numbered(2));

        var second = await _workspace.OnceAsync();

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(2, _workspace.Manifests().Count);
        Assert.Equal([_goodToken, renewed], _introspection.Requests);
        Assert.DoesNotContain(renewed, second.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_ServerOffersOnlyOAuthBearer_LogsInWithIt()
    {
        await using var bearerOnly = await StartBearerOnlyServerAsync();
        await bearerOnly.DeliverAsync(User, TestMail.Numbered(1));
        await File.WriteAllTextAsync(TokenPath, _goodToken);

        var run = await _workspace.OnceAsync(DebugLogging);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("logging in with OAUTHBEARER", run.ToString(), StringComparison.Ordinal);
        Assert.Single(_workspace.Manifests());
        Assert.DoesNotContain(_goodToken, run.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_RejectedOAuthBearerToken_ExitsWith1AfterOneAttempt()
    {
        await using var bearerOnly = await StartBearerOnlyServerAsync();
        var wrong = "wrong-token-" + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(TokenPath, wrong);

        var run = await _workspace.OnceAsync();

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("rejected the OAuth2 login of 'oauth'", run.ToString(), StringComparison.Ordinal);
        Assert.Equal([wrong], _introspection.Requests);
        Assert.DoesNotContain(wrong, run.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_AccessTokenFileAndPassword_ExitsWith2WithoutConnecting()
    {
        await File.WriteAllTextAsync(TokenPath, _goodToken);
        _workspace.Configure(User, _dovecot.Host, _dovecot.Port, User, "also-a-password-77", new { AccessTokenFile = TokenPath });

        var run = await _workspace.OnceAsync();

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"MailIngest:Mailboxes:{User}:AccessTokenFile and MailIngest:Mailboxes:{User}:Password are both set", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(_introspection.Requests);
        Assert.DoesNotContain(_goodToken, run.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A second server whose later auth_mechanisms line overrides the fixture's, so XOAUTH2 is not offered; the mailbox is
    /// configured to it.
    /// </summary>
    private async Task<DovecotServer> StartBearerOnlyServerAsync()
    {
        var bearerOnly = await DovecotServer.StartAsync(new DovecotOptions
        {
            OAuth2IntrospectionUrl = _introspection.Url,
            ExtraSettings = ["auth_mechanisms = oauthbearer plain login"],
        });
        bearerOnly.AddUser(User, "unused-password-3d1e");
        _workspace.Configure(User, bearerOnly.Host, bearerOnly.Port, User, "", new { AccessTokenFile = TokenPath });
        return bearerOnly;
    }
}
