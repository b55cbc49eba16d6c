using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailIngest.Configuration;

namespace MailIngest.Core.Tests.Configuration;

/// <summary>
/// A mailbox's Microsoft365 section is checked at start: exactly one credential, exclusive with the other logins, tenant
/// and client IDs from the section or (workload identity) the webhook's environment, readable secret and certificate files.
/// </summary>
public sealed class Microsoft365ValidationTests : IDisposable
{
    private const string Section = "MailIngest:Mailboxes:support:Microsoft365";
    private const string TenantId = "8f4b1c2e-0d5a-4e7b-9c3f-2a1b0c9d8e7f";
    private const string ClientId = "3c9a7e51-6b2d-4f80-a1c4-5d6e7f8a9b0c";
    private readonly string _folder = Directory.CreateTempSubdirectory("mailingest-m365-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static IEnumerable<string> Errors(Microsoft365Options settings, Action<MailboxOptions>? mailbox = null, Dictionary<string, string>? environment = null)
    {
        var options = new MailboxOptions { Host = "outlook.office365.com", Username = "support@contoso.com", Microsoft365 = settings };
        mailbox?.Invoke(options);
        var validator = new MailIngestOptionsValidator(name => environment?.GetValueOrDefault(name));
        return validator.Validate(null, new MailIngestOptions { Mailboxes = { ["support"] = options } }).Failures ?? [];
    }

    private static Microsoft365Options App(Action<Microsoft365Options> credential)
    {
        var settings = new Microsoft365Options { TenantId = TenantId, ClientId = ClientId };
        credential(settings);
        return settings;
    }

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static X509Certificate2 SelfSigned(AsymmetricAlgorithm key)
    {
        var request = key is RSA rsa
            ? new CertificateRequest("CN=mailingest", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=mailingest", (ECDsa)key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    [Fact]
    public void Validate_ClientSecret_Succeeds()
    {
        Assert.Empty(Errors(App(s => s.ClientSecret = "s3cret~value")));
    }

    [Fact]
    public void Validate_ReadableClientSecretFile_Succeeds()
    {
        Assert.Empty(Errors(App(s => s.ClientSecretFile = WriteFile("secret", "s3cret~value\n"))));
    }

    [Fact]
    public void Validate_MissingClientSecretFile_NamesKeyAndFile()
    {
        var missing = Path.Combine(_folder, "absent");

        var error = Assert.Single(Errors(App(s => s.ClientSecretFile = missing)));

        Assert.StartsWith($"{Section}:ClientSecretFile: '{missing}' does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PemCertificateWithItsKey_Succeeds()
    {
        using var key = RSA.Create(2048);
        using var certificate = SelfSigned(key);
        var path = WriteFile("app.pem", certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");

        Assert.Empty(Errors(App(s => s.ClientCertificateFile = path)));
    }

    [Fact]
    public void Validate_PfxCertificate_Succeeds()
    {
        using var key = RSA.Create(2048);
        using var certificate = SelfSigned(key);
        var path = Path.Combine(_folder, "app.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx));

        Assert.Empty(Errors(App(s => s.ClientCertificateFile = path)));
    }

    [Fact]
    public void Validate_PemCertificateWithoutKey_IsRefusedNamingKeyAndFile()
    {
        using var key = RSA.Create(2048);
        using var certificate = SelfSigned(key);
        var path = WriteFile("app.pem", certificate.ExportCertificatePem());

        var error = Assert.Single(Errors(App(s => s.ClientCertificateFile = path)));

        Assert.StartsWith($"{Section}:ClientCertificateFile: '{path}' is not a PEM file with a certificate and its private key", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EcdsaCertificate_IsRefusedForWantOfAnRsaKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = SelfSigned(key);
        var path = WriteFile("app.pem", certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());

        var error = Assert.Single(Errors(App(s => s.ClientCertificateFile = path)));

        Assert.Contains("no RSA private key", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NoCredential_AsksForOne()
    {
        var error = Assert.Single(Errors(App(_ => { })));

        Assert.Equal($"{Section} needs a credential: set one of ClientSecret, ClientSecretFile, ClientCertificateFile or WorkloadIdentity.", error);
    }

    [Fact]
    public void Validate_TwoCredentials_IsRefusedNamingBoth()
    {
        var error = Assert.Single(Errors(App(s =>
        {
            s.ClientSecret = "inline-secret";
            s.WorkloadIdentity = true;
        })));

        Assert.StartsWith($"{Section}:ClientSecret and {Section}:WorkloadIdentity are both set", error, StringComparison.Ordinal);
        Assert.DoesNotContain("inline-secret", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Password")]
    [InlineData("PasswordFile")]
    [InlineData("AccessTokenFile")]
    public void Validate_AnotherLogin_IsRefusedNamingBothKeys(string other)
    {
        var file = WriteFile("other", "other-secret");

        var errors = Errors(App(s => s.ClientSecret = "s3cret~value"), mailbox => typeof(MailboxOptions).GetProperty(other)!.SetValue(mailbox, file));

        var error = Assert.Single(errors, e => e.StartsWith(Section + " and ", StringComparison.Ordinal));
        Assert.StartsWith($"{Section} and MailIngest:Mailboxes:support:{other} are both set", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingTenantAndMalformedClientId_NamesBothKeys()
    {
        var errors = Errors(new Microsoft365Options { ClientId = "support-app", ClientSecret = "s3cret~value" }).ToList();

        Assert.Equal(2, errors.Count);
        Assert.StartsWith($"{Section}:TenantId is required", errors[0], StringComparison.Ordinal);
        Assert.Equal($"{Section}:ClientId must be the application (client) ID of the app registration, a GUID, was 'support-app'.", errors[1]);
    }

    [Fact]
    public void Validate_WorkloadIdentityWithTheWebhooksEnvironment_Succeeds()
    {
        var environment = new Dictionary<string, string>
        {
            ["AZURE_TENANT_ID"] = TenantId,
            ["AZURE_CLIENT_ID"] = ClientId,
            ["AZURE_FEDERATED_TOKEN_FILE"] = "/var/run/secrets/azure/tokens/azure-identity-token",
        };

        Assert.Empty(Errors(new Microsoft365Options { WorkloadIdentity = true }, environment: environment));
    }

    [Fact]
    public void Validate_WorkloadIdentityOutsideAWebhookPod_NamesWhatIsMissing()
    {
        var errors = Errors(new Microsoft365Options { WorkloadIdentity = true, ClientId = ClientId }).ToList();

        Assert.Equal(2, errors.Count);
        Assert.StartsWith($"{Section}:WorkloadIdentity needs AZURE_FEDERATED_TOKEN_FILE in the environment", errors[0], StringComparison.Ordinal);
        Assert.StartsWith($"{Section}:TenantId is required", errors[1], StringComparison.Ordinal);
        Assert.Contains("AZURE_TENANT_ID", errors[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AuthorityHost", "http://login.microsoftonline.us", "AuthorityHost must be an https URL")]
    [InlineData("Scope", "https://outlook.office365.com/POP.AccessAsUser.All", "Scope must be Exchange Online's resource followed by /.default")]
    public void Validate_MalformedEndpointSetting_IsRefusedNamingTheKey(string key, string value, string message)
    {
        var error = Assert.Single(Errors(App(s =>
        {
            s.ClientSecret = "s3cret~value";
            typeof(Microsoft365Options).GetProperty(key)!.SetValue(s, value);
        })));

        Assert.StartsWith($"{Section}:{message}", error, StringComparison.Ordinal);
    }
}
