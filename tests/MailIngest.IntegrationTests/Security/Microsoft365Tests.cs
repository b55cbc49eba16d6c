using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Security;

/// <summary>
/// Microsoft 365 logins end to end: the real <c>mailingest</c> gets a token from a loopback HTTPS stand-in for Entra ID's
/// token endpoint (trusted through <c>SSL_CERT_FILE</c>) with a client secret, a certificate or workload identity, and
/// logs in to Dovecot with XOAUTH2; Dovecot's oauth2 passdb asks the introspection endpoint, which knows only the tokens
/// the stand-in issued.
/// </summary>
public sealed class Microsoft365Tests : IAsyncLifetime
{
    private const string User = "m365";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private readonly string _secret = "m365-secret~" + Guid.NewGuid().ToString("N");
    private readonly string _secrets = Directory.CreateTempSubdirectory("mailingest-m365-").FullName;
    private IntrospectionEndpoint _introspection = null!;
    private EntraTokenEndpoint _entra = null!;
    private DovecotServer _dovecot = null!;
    private IngestWorkspace _workspace = null!;

    /// <summary>Outside the workspace, so that every file in the workspace can be scanned for the secret.</summary>
    private string SecretFile => Path.Combine(_secrets, "client-secret");

    private string ProtocolLog => Path.Combine(_workspace.Root, "pop3.log");

    public async Task InitializeAsync()
    {
        _introspection = IntrospectionEndpoint.Start();
        _entra = EntraTokenEndpoint.Start(_secrets, _introspection, User);
        _dovecot = await DovecotServer.StartAsync(new DovecotOptions { OAuth2IntrospectionUrl = _introspection.Url });
        // The passwd-file entry gives the user a Maildir; its password is never sent by these tests.
        _dovecot.AddUser(User, "unused-password-8c2f");
        _workspace = await IngestWorkspace.CreateAsync(StoreKind.FileSystem);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Teardown.DisposeAllAsync(_workspace, _dovecot, _entra, _introspection);
        }
        finally
        {
            Directory.Delete(_secrets, recursive: true);
        }
    }

    [Fact]
    public async Task Once_ClientSecretFile_GetsOneTokenAndStoresTheMail()
    {
        await _dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await _dovecot.DeliverAsync(User, TestMail.Numbered(2));
        await File.WriteAllTextAsync(SecretFile, _secret + "\n");
        _entra.AcceptSecret(_secret);
        Configure(new { TenantId = EntraTokenEndpoint.TenantId, ClientId = EntraTokenEndpoint.ClientId, ClientSecretFile = SecretFile, AuthorityHost = _entra.AuthorityHost });

        var run = await OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, _workspace.Manifests().Count);
        var request = Assert.Single(_entra.Requests);
        Assert.Equal(("POST", $"/{EntraTokenEndpoint.TenantId}/oauth2/v2.0/token"), (request.Method, request.Path));
        Assert.Equal("client_credentials", request.Form["grant_type"]);
        Assert.Equal(EntraTokenEndpoint.ClientId, request.Form["client_id"]);
        Assert.Equal(EntraTokenEndpoint.Scope, request.Form["scope"]);
        Assert.Equal(_secret, request.Form["client_secret"]);
        Assert.Equal(_entra.IssuedTokens, _introspection.Requests);
        Assert.Contains("logging in with XOAUTH2", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("AUTH XOAUTH2", await File.ReadAllTextAsync(ProtocolLog), StringComparison.Ordinal);
        Assert.Empty(await LeaksAsync(run, _secret, _entra.IssuedTokens.Single()));
    }

    [Fact]
    public async Task Once_ClientCertificate_SignsTheAssertionAndStoresTheMail()
    {
        await _dovecot.DeliverAsync(User, TestMail.Numbered(1));
        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=mailingest m365 test app", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificateFile = Path.Combine(_secrets, "app.pem");
        await File.WriteAllTextAsync(certificateFile, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        _entra.AcceptCertificate(certificate);
        Configure(new { TenantId = EntraTokenEndpoint.TenantId, ClientId = EntraTokenEndpoint.ClientId, ClientCertificateFile = certificateFile, AuthorityHost = _entra.AuthorityHost });

        var run = await OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString() + string.Join('\n', _entra.Requests));
        Assert.Single(_workspace.Manifests());
        var request = Assert.Single(_entra.Requests);
        Assert.DoesNotContain("client_secret", request.Form.Keys);
        Assert.Empty(await LeaksAsync(run, _entra.IssuedTokens.Single()));
    }

    [Fact]
    public async Task Once_WorkloadIdentity_SendsTheFederatedTokenAndStoresTheMail()
    {
        await _dovecot.DeliverAsync(User, TestMail.Numbered(1));
        var federatedToken = "eyJhbGciOiJSUzI1NiJ9.federated-" + Guid.NewGuid().ToString("N") + ".sig";
        var tokenFile = Path.Combine(_secrets, "azure-identity-token");
        await File.WriteAllTextAsync(tokenFile, federatedToken);
        _entra.AcceptFederatedToken(federatedToken);
        Configure(new { WorkloadIdentity = true });
        // What the Azure workload identity webhook injects into the pod.
        var webhook = new Dictionary<string, string>
        {
            ["AZURE_TENANT_ID"] = EntraTokenEndpoint.TenantId,
            ["AZURE_CLIENT_ID"] = EntraTokenEndpoint.ClientId,
            ["AZURE_FEDERATED_TOKEN_FILE"] = tokenFile,
            ["AZURE_AUTHORITY_HOST"] = _entra.AuthorityHost,
        };

        var run = await OnceAsync(webhook);

        Assert.True(run.ExitCode == 0, run.ToString() + string.Join('\n', _entra.Requests));
        Assert.Single(_workspace.Manifests());
        Assert.Equal(EntraTokenEndpoint.ClientId, Assert.Single(_entra.Requests).Form["client_id"]);
        Assert.Empty(await LeaksAsync(run, federatedToken, _entra.IssuedTokens.Single()));
    }

    [Fact]
    public async Task Once_WrongClientSecret_ExitsWith1NamingTheAadstsErrorWithoutRetryOrLeak()
    {
        await _dovecot.DeliverAsync(User, TestMail.Numbered(1));
        var wrong = "wrong-secret~" + Guid.NewGuid().ToString("N");
        _entra.AcceptSecret(_secret);
        Configure(new { TenantId = EntraTokenEndpoint.TenantId, ClientId = EntraTokenEndpoint.ClientId, AuthorityHost = _entra.AuthorityHost });

        var run = await OnceAsync(ClientSecretVariable(wrong));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(
            $"Microsoft Entra ID refused a token for mailbox {User} (tenant {EntraTokenEndpoint.TenantId}, client ID {EntraTokenEndpoint.ClientId}): AADSTS7000215: Invalid client secret provided.",
            run.ToString(),
            StringComparison.Ordinal);
        // One token request and no POP3 login at all: Entra's refusal is not retried, by Polly or by Azure.Identity.
        Assert.Single(_entra.Requests);
        Assert.Empty(_introspection.Requests);
        Assert.Empty(_workspace.Manifests());
        Assert.DoesNotContain("RETR", File.Exists(ProtocolLog) ? await File.ReadAllTextAsync(ProtocolLog) : "", StringComparison.Ordinal);
        Assert.Empty(await LeaksAsync(run, wrong, _secret));
    }

    [Fact]
    public async Task Once_ExchangeRejectsTheToken_ExitsWith1PointingAtTheMailboxPermission()
    {
        await _dovecot.DeliverAsync(User, TestMail.Numbered(1));
        _entra.AcceptSecret(_secret);
        _entra.ExchangeAcceptsTokens = false;
        Configure(new { TenantId = EntraTokenEndpoint.TenantId, ClientId = EntraTokenEndpoint.ClientId, AuthorityHost = _entra.AuthorityHost });

        var run = await OnceAsync(ClientSecretVariable(_secret));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"rejected the OAuth2 login of '{User}'", run.ToString(), StringComparison.Ordinal);
        Assert.Contains("POP.AccessAsApp", run.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sidecar", run.ToString(), StringComparison.Ordinal);
        Assert.Single(_entra.Requests);
        Assert.Equal(_entra.IssuedTokens, _introspection.Requests);
        Assert.Empty(await LeaksAsync(run, _secret, _entra.IssuedTokens.Single()));
    }

    [Fact]
    public async Task Run_SeveralSessions_ReuseTheCredentialsCachedToken()
    {
        await _dovecot.DeliverAsync(User, TestMail.Numbered(1));
        _entra.AcceptSecret(_secret);
        Configure(new { TenantId = EntraTokenEndpoint.TenantId, ClientId = EntraTokenEndpoint.ClientId, AuthorityHost = _entra.AuthorityHost }, schedule: "0/2 * * * * ?");
        var run = _workspace.Start(Trusting(ClientSecretVariable(_secret)), "run", "--config", _workspace.ConfigPath);

        await Eventually.HoldsAsync(() => _introspection.Requests.Count >= 3, Patience, "three scheduled sessions log in");
        run.Terminate();
        var stopped = await run.WaitAsync(TimeSpan.FromSeconds(40));

        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Single(_workspace.Manifests());
        Assert.Single(_entra.Requests);
        Assert.All(_introspection.Requests, token => Assert.Equal(_entra.IssuedTokens.Single(), token));
    }

    private void Configure(object microsoft365, string? schedule = null) =>
        _workspace.Configure(User, _dovecot.Host, _dovecot.Port, User, "", new { Microsoft365 = microsoft365, Schedule = schedule ?? "0 0/5 * * * ?" });

    /// <summary>The secret as a Kubernetes Secret would set it, so that it is not in the workspace's configuration file.</summary>
    private static Dictionary<string, string> ClientSecretVariable(string secret) => new() { [$"MailIngest__Mailboxes__{User}__Microsoft365__ClientSecret"] = secret };

    /// <summary>
    /// The child trusts the stand-in's certificate as .NET on Linux does any CA, through SSL_CERT_FILE; it logs at Debug,
    /// so that the leak scan covers every line it can write.
    /// </summary>
    private Dictionary<string, string> Trusting(Dictionary<string, string>? environment = null) =>
        new(environment ?? []) { ["SSL_CERT_FILE"] = _entra.CertificateFile, ["Logging__LogLevel__Default"] = "Debug" };

    private Task<RunOutput> OnceAsync(Dictionary<string, string>? environment = null) =>
        MailIngestProcess.RunAsync(_workspace.Root, Trusting(environment), "once", "--config", _workspace.ConfigPath, "--protocol-log", ProtocolLog);

    /// <summary>
    /// Where a secret or token shows up, as written or as XOAUTH2 sends it, in the run's output and in every file of the
    /// workspace (the protocol log, the archive, the ledger).
    /// </summary>
    private async Task<List<string>> LeaksAsync(RunOutput run, params string[] secrets)
    {
        var outputs = new Dictionary<string, string> { ["stdout"] = run.Stdout, ["stderr"] = run.Stderr };
        foreach (var file in Directory.EnumerateFiles(_workspace.Root, "*", SearchOption.AllDirectories))
        {
            outputs[file] = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file));
        }

        var forms = secrets.SelectMany(secret => new[] { secret, Convert.ToBase64String(Encoding.ASCII.GetBytes($"user={User}\u0001auth=Bearer {secret}\u0001\u0001")) });
        return outputs.SelectMany(output => forms.Where(form => output.Value.Contains(form, StringComparison.Ordinal)).Select(form => $"'{form}' in {output.Key}")).ToList();
    }
}
