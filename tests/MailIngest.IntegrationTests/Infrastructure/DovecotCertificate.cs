using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>A self-signed TLS server certificate for 127.0.0.1, made fresh for each TLS test server.</summary>
internal static class DovecotCertificate
{
    /// <summary>Writes the certificate and its private key as PEM files; Dovecot's config process reads both as root.</summary>
    public static void Write(string certificateFile, string keyFile, string host)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={host}, O=MailIngest integration tests", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Parse(host));
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
