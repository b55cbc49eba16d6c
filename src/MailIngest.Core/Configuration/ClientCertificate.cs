using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailIngest.Configuration;

/// <summary>Loads a certificate that signs in as an app: PEM with the certificate and its private key, or PKCS#12 without a password.</summary>
public static class ClientCertificate
{
    /// <summary>
    /// The certificate with its private key; throws <see cref="CryptographicException"/> when the file is neither form or
    /// holds no RSA private key (Entra ID signs client assertions with RSA only).
    /// </summary>
    public static X509Certificate2 Load(string path)
    {
        var certificate = IsPem(path) ? X509Certificate2.CreateFromPemFile(path) : X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
        using var key = certificate.GetRSAPrivateKey();
        if (key is null)
        {
            certificate.Dispose();
            throw new CryptographicException("the certificate has no RSA private key with it");
        }

        return certificate;
    }

    /// <summary>Null when <see cref="Load"/> succeeds, else why not (naming the file, never its content).</summary>
    public static string? Problem(string path)
    {
        if (SecretFile.Problem(path) is { } problem)
        {
            return problem;
        }

        try
        {
            Load(path).Dispose();
            return null;
        }
        catch (CryptographicException e)
        {
            return $"'{path}' is not a PEM file with a certificate and its private key, nor a PKCS#12 file without a password: {e.Message}";
        }
    }

    private static bool IsPem(string path)
    {
        using var reader = File.OpenText(path);
        var start = new char[64];
        var read = reader.ReadBlock(start);
        return new string(start, 0, read).TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal);
    }
}
