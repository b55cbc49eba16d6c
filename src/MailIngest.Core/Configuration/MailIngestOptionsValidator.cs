using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace MailIngest.Configuration;

/// <summary>Checks every setting at start, naming the key and the fix, so that a bad configuration stops before any connection.</summary>
internal sealed partial class MailIngestOptionsValidator : IValidateOptions<MailIngestOptions>
{
    private const string Prefix = MailIngestOptions.SectionName + ":Mailboxes";
    private const int MaxRetryAttempts = 100;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MinBreakDuration = TimeSpan.FromMilliseconds(500);

    private readonly Func<string, string?> _environment;

    public MailIngestOptionsValidator() : this(Environment.GetEnvironmentVariable)
    {
    }

    /// <param name="environment">Reads an environment variable: Microsoft365 workload identity is configured partly there.</param>
    internal MailIngestOptionsValidator(Func<string, string?> environment) => _environment = environment;

    public ValidateOptionsResult Validate(string? name, MailIngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Mailboxes.Count == 0)
        {
            errors.Add($"{Prefix} is empty: configure at least one mailbox, e.g. {Prefix}:support:Host.");
        }

        if (options.MaxConcurrentMailboxes < 1)
        {
            errors.Add($"{MailIngestOptions.SectionName}:MaxConcurrentMailboxes must be at least 1, was {options.MaxConcurrentMailboxes}.");
        }

        foreach (var (mailbox, settings) in options.Mailboxes)
        {
            Validate(mailbox, settings, errors);
            if (settings.Microsoft365 is not null)
            {
                Microsoft365Validation.Validate($"{Prefix}:{mailbox}", settings, _environment, errors);
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Validate(string mailbox, MailboxOptions options, List<string> errors)
    {
        var key = $"{Prefix}:{mailbox}";
        if (!MailboxName().IsMatch(mailbox))
        {
            errors.Add($"{key}: the mailbox name becomes part of stored paths; use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }

        if (string.IsNullOrWhiteSpace(options.Host))
        {
            errors.Add($"{key}:Host is required: set it to the mail server's host name.");
        }

        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"{key}:Port must be between 1 and 65535 (or 0 for the default), was {options.Port}.");
        }

        ValidateSecurity(key, options, errors);
        ProtocolValidation.Validate(key, options, errors);

        if (string.IsNullOrWhiteSpace(options.Username))
        {
            errors.Add($"{key}:Username is required: set it to the mailbox's login name.");
        }

        ValidatePasswordFile(key, options, errors);
        ValidateAccessTokenFile(key, options, errors);

        if (options.MaxMessagesPerRun < 0)
        {
            errors.Add($"{key}:MaxMessagesPerRun must be 0 (no limit) or more, was {options.MaxMessagesPerRun}.");
        }

        if (options.MaxBytesPerRun < 0)
        {
            errors.Add($"{key}:MaxBytesPerRun must be 0 (no limit) or more, was {options.MaxBytesPerRun}.");
        }

        if (options.MaxMessageSize < 0)
        {
            errors.Add($"{key}:MaxMessageSize must be 0 (no limit) or more, was {options.MaxMessageSize}.");
        }

        if (options.MaxAttempts < 1)
        {
            errors.Add($"{key}:MaxAttempts must be at least 1, was {options.MaxAttempts}.");
        }

        if (options.MaxRunTime < TimeSpan.Zero)
        {
            errors.Add($"{key}:MaxRunTime must be 00:00:00 (no limit) or more, was {options.MaxRunTime}.");
        }

        if (options.LedgerFlushEvery < 1)
        {
            errors.Add($"{key}:LedgerFlushEvery must be at least 1, was {options.LedgerFlushEvery}.");
        }

        if (options.LedgerFlushInterval <= TimeSpan.Zero)
        {
            errors.Add($"{key}:LedgerFlushInterval must be more than 00:00:00, was {options.LedgerFlushInterval}.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{key}:Timeout must be more than 00:00:00, was {options.Timeout}.");
        }

        ValidateRetries(key, options, errors);
    }

    private static void ValidateSecurity(string key, MailboxOptions options, List<string> errors)
    {
        if (!Enum.IsDefined(options.Security))
        {
            errors.Add($"{key}:Security must be one of {string.Join(", ", Enum.GetNames<MailSecurity>())}.");
        }
        else if (options.Security == MailSecurity.StartTlsWhenAvailable)
        {
            errors.Add($"{key}:Security StartTlsWhenAvailable falls back to plaintext when no STLS is offered: use StartTls (TLS required) or, for a trusted network only, None.");
        }

        if (string.IsNullOrEmpty(options.CertificateAuthorityFile))
        {
            return;
        }

        var file = $"{key}:CertificateAuthorityFile";
        if (options.Security == MailSecurity.None)
        {
            errors.Add($"{file} is set but Security is None, so no certificate is ever checked: remove one of them.");
        }
        else if (!File.Exists(options.CertificateAuthorityFile))
        {
            errors.Add($"{file}: '{options.CertificateAuthorityFile}' does not exist; set it to a PEM file with the server's CA or certificate.");
        }
        else if (ReadCertificates(options.CertificateAuthorityFile) is { } problem)
        {
            errors.Add($"{file}: '{options.CertificateAuthorityFile}' {problem}");
        }
    }

    /// <summary>
    /// A token and a password together would leave it unclear which one logs in, and a silent fallback from a rejected
    /// token to a password is exactly the second login attempt the adapter avoids.
    /// </summary>
    private static void ValidateAccessTokenFile(string key, MailboxOptions options, List<string> errors)
    {
        if (string.IsNullOrEmpty(options.AccessTokenFile))
        {
            return;
        }

        if (!string.IsNullOrEmpty(options.Password) || !string.IsNullOrEmpty(options.PasswordFile))
        {
            var password = string.IsNullOrEmpty(options.Password) ? "PasswordFile" : "Password";
            errors.Add($"{key}:AccessTokenFile and {key}:{password} are both set: keep one (AccessTokenFile logs in with OAuth2, so leave the password empty).");
        }
        else if (SecretFile.Problem(options.AccessTokenFile) is { } problem)
        {
            errors.Add($"{key}:AccessTokenFile: {problem}; set it to a readable file holding the OAuth2 access token (kept fresh by a sidecar).");
        }
    }

    private static void ValidatePasswordFile(string key, MailboxOptions options, List<string> errors)
    {
        if (string.IsNullOrEmpty(options.PasswordFile))
        {
            return;
        }

        if (!string.IsNullOrEmpty(options.Password))
        {
            errors.Add($"{key}:Password and {key}:PasswordFile are both set: keep one (PasswordFile for a mounted secret).");
        }
        else if (SecretFile.Problem(options.PasswordFile) is { } problem)
        {
            errors.Add($"{key}:PasswordFile: {problem}; set it to a readable file holding the password (e.g. a mounted Kubernetes Secret).");
        }
    }

    /// <summary>Null when the file holds at least one PEM certificate, else what is wrong with it.</summary>
    private static string? ReadCertificates(string path)
    {
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(path);
            var count = certificates.Count;
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }

            return count == 0 ? "holds no PEM certificate (-----BEGIN CERTIFICATE-----)." : null;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return $"cannot be read as PEM certificates: {e.Message}";
        }
    }

    private static void ValidateRetries(string key, MailboxOptions options, List<string> errors)
    {
        if (options.RetryAttempts is < 0 or > MaxRetryAttempts)
        {
            errors.Add($"{key}:RetryAttempts must be between 0 (no retries) and {MaxRetryAttempts}, was {options.RetryAttempts}.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > MaxRetryDelay)
        {
            errors.Add($"{key}:RetryDelay must be between 00:00:00 and {MaxRetryDelay}, was {options.RetryDelay}.");
        }

        if (options.RetryWindow <= TimeSpan.Zero)
        {
            errors.Add($"{key}:RetryWindow must be more than 00:00:00, was {options.RetryWindow}.");
        }

        // Polly's circuit breaker refuses a break shorter than half a second.
        if (options.CircuitBreakDuration < MinBreakDuration)
        {
            errors.Add($"{key}:CircuitBreakDuration must be at least {MinBreakDuration}, was {options.CircuitBreakDuration}.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex MailboxName();
}
