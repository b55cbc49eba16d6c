using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailIngest.Configuration;

namespace MailIngest.Core.Tests.Configuration;

/// <summary>TLS settings are checked at start: no silent plaintext, and a CertificateAuthorityFile that can be used.</summary>
public sealed class SecurityValidationTests : IDisposable
{
    private const string Key = "MailIngest:Mailboxes:support:";
    private readonly string _folder = Directory.CreateTempSubdirectory("mailingest-ca-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static IEnumerable<string> Errors(MailboxOptions mailbox) =>
        new MailIngestOptionsValidator().Validate(null, new MailIngestOptions { Mailboxes = { ["support"] = mailbox } }).Failures ?? [];

    private static MailboxOptions Mailbox(MailSecurity security = MailSecurity.Auto, string authorityFile = "") =>
        new() { Host = "pop.example.com", Username = "support@example.com", Security = security, CertificateAuthorityFile = authorityFile };

    private string WritePemCertificate()
    {
        using var key = ECDsa.Create();
        using var certificate = new CertificateRequest("CN=pop.example.com", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(_folder, "ca.pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    [Fact]
    public void Defaults_SecurityIsAuto()
    {
        Assert.Equal(MailSecurity.Auto, new MailboxOptions().Security);
        Assert.Empty(Errors(Mailbox()));
    }

    [Fact]
    public void Validate_StartTlsWhenAvailable_IsRefusedNamingTheAlternatives()
    {
        var error = Assert.Single(Errors(Mailbox(MailSecurity.StartTlsWhenAvailable)));

        Assert.StartsWith(Key + "Security StartTlsWhenAvailable", error, StringComparison.Ordinal);
        Assert.Contains("use StartTls", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CertificateAuthorityFileWithPemCertificate_Succeeds()
    {
        Assert.Empty(Errors(Mailbox(MailSecurity.SslOnConnect, WritePemCertificate())));
    }

    [Fact]
    public void Validate_MissingCertificateAuthorityFile_NamesTheKeyAndPath()
    {
        var path = Path.Combine(_folder, "missing.pem");

        var error = Assert.Single(Errors(Mailbox(authorityFile: path)));

        Assert.StartsWith(Key + "CertificateAuthorityFile", error, StringComparison.Ordinal);
        Assert.Contains($"'{path}' does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CertificateAuthorityFileWithoutCertificate_NamesTheKey()
    {
        var path = Path.Combine(_folder, "empty.pem");
        File.WriteAllText(path, "not a certificate\n");

        var error = Assert.Single(Errors(Mailbox(authorityFile: path)));

        Assert.StartsWith(Key + "CertificateAuthorityFile", error, StringComparison.Ordinal);
        Assert.Contains("holds no PEM certificate", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CertificateAuthorityFileWithSecurityNone_IsRefused()
    {
        var error = Assert.Single(Errors(Mailbox(MailSecurity.None, WritePemCertificate())));

        Assert.Contains("Security is None", error, StringComparison.Ordinal);
    }
}
