using System.Collections.Concurrent;
using System.Security.Cryptography;
using Azure.Core;
using Azure.Identity;
using MailIngest.Configuration;
using MailIngest.Sources;
using Microsoft.Extensions.Logging;

namespace MailIngest.Login;

/// <summary>
/// Tokens for Exchange Online from Microsoft Entra ID, by the client-credentials flow of Azure.Identity. Each mailbox keeps
/// its credential for the life of the process, because the credential's MSAL cache is what spares a token request per
/// session: a cached token is reused until shortly before it expires.
/// </summary>
internal sealed class Microsoft365TokenSource(ILogger<Microsoft365TokenSource> logger) : IAccessTokenSource
{
    private readonly ConcurrentDictionary<string, MailboxCredential> _credentials = new(StringComparer.Ordinal);

    public bool Serves(MailboxOptions options) => options.Microsoft365 is not null;

    public async Task<string> GetTokenAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        var settings = options.Microsoft365!;
        var credential = CredentialFor(mailbox, settings, options.Timeout);
        var (tenantId, clientId) = (Effective(settings.TenantId, Microsoft365Options.TenantIdVariable, settings), Effective(settings.ClientId, Microsoft365Options.ClientIdVariable, settings));
        try
        {
            var token = await credential.GetTokenAsync(new TokenRequestContext([settings.Scope]), cancellationToken);
            Log.TokenReady(logger, mailbox, tenantId, clientId, token.ExpiresOn);
            return token.Token;
        }
        catch (AuthenticationFailedException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Microsoft365Errors.Describe(e, mailbox, tenantId, clientId);
        }
    }

    public string RejectionAdvice(MailboxOptions options) => options.Protocol == MailProtocol.Imap
        ? Advice("IMAP.AccessAsApp", "IMAP")
        : Advice("POP.AccessAsApp", "POP");

    private static string Advice(string permission, string protocol) =>
        $"Check that Username is the mailbox's address, that the app holds the Office 365 Exchange Online application permission {permission} with admin consent, that its service principal in Exchange Online has FullAccess to the mailbox (Add-MailboxPermission), and that {protocol} is enabled for the mailbox";

    /// <summary>
    /// The mailbox's credential, made anew only when its secret or certificate file changed since the last session (a
    /// rotated Kubernetes Secret), so that a rotation takes effect at the next run without a restart.
    /// </summary>
    private TokenCredential CredentialFor(string mailbox, Microsoft365Options settings, TimeSpan timeout)
    {
        var (key, path) = settings switch
        {
            { ClientSecretFile.Length: > 0 } => ("ClientSecretFile", settings.ClientSecretFile),
            { ClientCertificateFile.Length: > 0 } => ("ClientCertificateFile", settings.ClientCertificateFile),
            _ => (null, null),
        };
        try
        {
            var fingerprint = path is null ? "" : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
            if (!_credentials.TryGetValue(mailbox, out var current) || current.Fingerprint != fingerprint)
            {
                current = new MailboxCredential(fingerprint, Create(settings, timeout));
                _credentials[mailbox] = current;
            }

            return current.Credential;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new MailServerException(
                $"The credential of mailbox {mailbox} cannot be read from Microsoft365:{key} '{path}' ({e.GetType().Name}: {e.Message}): check that the secret is still mounted and readable.",
                MailServerFailure.Permanent,
                e);
        }
    }

    private static TokenCredential Create(Microsoft365Options settings, TimeSpan timeout)
    {
        if (settings.WorkloadIdentity)
        {
            // Empty keys keep what the options read from the webhook's AZURE_TENANT_ID and AZURE_CLIENT_ID.
            var options = Configure(new WorkloadIdentityCredentialOptions(), settings, timeout);
            options.TenantId = settings.TenantId.Length > 0 ? settings.TenantId : options.TenantId;
            options.ClientId = settings.ClientId.Length > 0 ? settings.ClientId : options.ClientId;
            return new WorkloadIdentityCredential(options);
        }

        if (settings.ClientCertificateFile.Length > 0)
        {
            var certificate = ClientCertificate.Load(settings.ClientCertificateFile);
            return new ClientCertificateCredential(settings.TenantId, settings.ClientId, certificate, Configure(new ClientCertificateCredentialOptions(), settings, timeout));
        }

        var secret = settings.ClientSecretFile.Length > 0 ? SecretFile.Read(settings.ClientSecretFile) : settings.ClientSecret;
        return new ClientSecretCredential(settings.TenantId, settings.ClientId, secret, Configure(new ClientSecretCredentialOptions(), settings, timeout));
    }

    private static T Configure<T>(T options, Microsoft365Options settings, TimeSpan timeout) where T : TokenCredentialOptions
    {
        if (settings.AuthorityHost.Length > 0)
        {
            options.AuthorityHost = new Uri(settings.AuthorityHost);
        }

        // Polly retries the whole session, token request included; a second retry layer here would multiply the attempts.
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = timeout;
        return options;
    }

    /// <summary>A tenant or client ID for messages: the configured one, or the webhook's that workload identity falls back to.</summary>
    private static string Effective(string configured, string variable, Microsoft365Options settings) =>
        configured.Length > 0 || !settings.WorkloadIdentity ? configured : Environment.GetEnvironmentVariable(variable) ?? "";

    private sealed record MailboxCredential(string Fingerprint, TokenCredential Credential);
}
