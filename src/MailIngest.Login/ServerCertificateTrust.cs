using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailIngest.Configuration;

namespace MailIngest.Login;

/// <summary>
/// Validates one session's server certificate: trusted by the system's CAs, or by the mailbox's
/// <see cref="MailboxOptions.CertificateAuthorityFile"/>, and always issued for the host. Remembers why it refused, because
/// the TLS handshake's exception names neither the certificate nor the reason in a sentence an operator can act on.
/// </summary>
internal sealed class ServerCertificateTrust
{
    private readonly string _host;
    private readonly string _authorityFile;

    public ServerCertificateTrust(string host, string authorityFile)
    {
        _host = host;
        _authorityFile = authorityFile;
    }

    /// <summary>Why the certificate was refused, naming host, certificate and reason; null while nothing was refused.</summary>
    public string? Refusal { get; private set; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            Refusal = $"the server at {_host} sent no certificate.";
            return false;
        }

        using var server = new X509Certificate2(certificate);
        var reasons = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            reasons.Add($"it is not issued for the host name '{_host}'");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            if (_authorityFile.Length == 0)
            {
                reasons.Add($"no system CA trusts it ({ChainStatus(chain)}); set the mailbox's CertificateAuthorityFile to a PEM file with its CA or the certificate itself");
            }
            else if (ChainErrorsWithAuthorities(server, chain) is { } status)
            {
                reasons.Add($"neither the system's CAs nor '{_authorityFile}' trust it ({status})");
            }
        }

        if (reasons.Count == 0)
        {
            return true;
        }

        Refusal = string.Create(
            CultureInfo.InvariantCulture,
            $"the certificate of {_host} (subject {server.Subject}, issuer {server.Issuer}, thumbprint {server.Thumbprint}, valid {server.NotBefore:u} to {server.NotAfter:u}) is refused: {string.Join("; and ", reasons)}.");
        return false;
    }

    /// <summary>Builds the chain again with the PEM file's certificates as the only roots; null when it is valid.</summary>
    private string? ChainErrorsWithAuthorities(X509Certificate2 server, X509Chain? presented)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            // Read per session, so a CA file replaced on disk (a rotated Kubernetes Secret) takes effect on the next run.
            authorities.ImportFromPemFile(_authorityFile);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presented is not null)
            {
                // Intermediates the server sent along with its certificate.
                chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            }

            return chain.Build(server) ? null : ChainStatus(chain);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return $"the file cannot be read: {e.Message}";
        }
        finally
        {
            foreach (var authority in authorities)
            {
                authority.Dispose();
            }
        }
    }

    private static string ChainStatus(X509Chain? chain) =>
        chain is null || chain.ChainStatus.Length == 0
            ? "no chain status"
            : string.Join(", ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}").Distinct());
}
