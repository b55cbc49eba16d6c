using System.Security.Cryptography.X509Certificates;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Security;

/// <summary>
/// POP3S and STLS against a real Dovecot with a self-signed certificate: refused (exit 1, naming host and certificate)
/// unless the mailbox's CertificateAuthorityFile trusts it; then the mail is stored. Plaintext only with Security None.
/// </summary>
public sealed class TlsTrustTests() : TlsMailboxTest("tls")
{
    public static TheoryData<string> TlsModes => ["SslOnConnect", "StartTls", "Auto"];

    /// <summary>Auto on a port other than 995 means required STARTTLS.</summary>
    private int PortFor(string security) => security == "SslOnConnect" ? Dovecot.TlsPort!.Value : Dovecot.Port;

    [Theory]
    [MemberData(nameof(TlsModes))]
    public async Task Once_SelfSignedCertificateNotTrusted_FailsNamingHostAndCertificate(string security)
    {
        Configure(PortFor(security), new { Security = security });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 1, run.ToString());
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(Dovecot.CertificatePath);
        using var certificate = Assert.Single(certificates);
        Assert.Contains($"the certificate of {Dovecot.Host} (subject {certificate.Subject}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"thumbprint {certificate.Thumbprint}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("UntrustedRoot", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("CertificateAuthorityFile", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(Workspace.Manifests());
        Assert.Equal(Messages, Dovecot.MessageCount(User));
    }

    [Theory]
    [MemberData(nameof(TlsModes))]
    public async Task Once_SelfSignedCertificateInCertificateAuthorityFile_StoresTheMail(string security)
    {
        Configure(PortFor(security), new { Security = security, CertificateAuthorityFile = Dovecot.CertificatePath });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(Messages, Workspace.Manifests().Count);
        Assert.Contains(Dovecot.ReadLog().Split('\n'), line => line.Contains("Login: user=<tls>", StringComparison.Ordinal) && line.Contains("TLS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Once_CertificateAuthorityFileOfAnotherServer_FailsNamingTheFile()
    {
        await using var other = await DovecotServer.StartAsync(new DovecotOptions { Tls = true });
        Configure(Dovecot.TlsPort!.Value, new { Security = "SslOnConnect", CertificateAuthorityFile = other.CertificatePath });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"nor '{other.CertificatePath}' trust it", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(Workspace.Manifests());
    }

    [Fact]
    public async Task Once_SecurityNoneWrittenOut_LogsInWithoutTlsAndStoresTheMail()
    {
        Configure(Dovecot.Port, new { Security = "None" });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(Messages, Workspace.Manifests().Count);
        // A loopback host is no reason to warn.
        Assert.DoesNotContain("unencrypted", run.Stderr, StringComparison.Ordinal);
    }
}
