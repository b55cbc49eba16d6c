using System.Text.RegularExpressions;

namespace MailIngest.Configuration;

/// <summary>Checks a mailbox's <see cref="MailboxOptions.Microsoft365"/> section at start, naming the key and the fix.</summary>
internal static partial class Microsoft365Validation
{
    /// <param name="key">The mailbox's key, e.g. <c>MailIngest:Mailboxes:support</c>.</param>
    /// <param name="options">The mailbox's settings, whose Microsoft365 section is set.</param>
    /// <param name="environment">Reads an environment variable; workload identity takes its tenant, client and token file from there.</param>
    /// <param name="errors">Collects the messages.</param>
    public static void Validate(string key, MailboxOptions options, Func<string, string?> environment, List<string> errors)
    {
        var settings = options.Microsoft365!;
        var section = $"{key}:Microsoft365";
        foreach (var other in OtherLogins(options))
        {
            errors.Add($"{section} and {key}:{other} are both set: keep one (Microsoft365 gets OAuth2 tokens from Microsoft Entra ID, so leave {other} empty).");
        }

        ValidateCredential(section, settings, environment, errors);
        var workloadVariable = settings.WorkloadIdentity ? environment : _ => null;
        ValidateIdentity(section, new("TenantId", settings.TenantId, Microsoft365Options.TenantIdVariable, TenantId(), "the directory (tenant) ID or a verified domain such as contoso.onmicrosoft.com"), workloadVariable, errors);
        ValidateIdentity(section, new("ClientId", settings.ClientId, Microsoft365Options.ClientIdVariable, Guid(), "the application (client) ID of the app registration, a GUID"), workloadVariable, errors);

        if (settings.AuthorityHost.Length > 0 && !(Uri.TryCreate(settings.AuthorityHost, UriKind.Absolute, out var authority) && authority.Scheme == Uri.UriSchemeHttps))
        {
            errors.Add($"{section}:AuthorityHost must be an https URL such as https://login.microsoftonline.us, was '{settings.AuthorityHost}'; leave it empty for the public cloud.");
        }

        if (!settings.Scope.StartsWith("https://", StringComparison.Ordinal) || !settings.Scope.EndsWith("/.default", StringComparison.Ordinal))
        {
            errors.Add($"{section}:Scope must be Exchange Online's resource followed by /.default (the client-credentials flow asks for .default only), e.g. {Microsoft365Options.DefaultScope}; was '{settings.Scope}'.");
        }
    }

    private static IEnumerable<string> OtherLogins(MailboxOptions options)
    {
        if (options.Password.Length > 0)
        {
            yield return "Password";
        }

        if (options.PasswordFile.Length > 0)
        {
            yield return "PasswordFile";
        }

        if (options.AccessTokenFile.Length > 0)
        {
            yield return "AccessTokenFile";
        }
    }

    private static void ValidateCredential(string section, Microsoft365Options settings, Func<string, string?> environment, List<string> errors)
    {
        var credentials = new[]
        {
            ("ClientSecret", settings.ClientSecret.Length > 0),
            ("ClientSecretFile", settings.ClientSecretFile.Length > 0),
            ("ClientCertificateFile", settings.ClientCertificateFile.Length > 0),
            ("WorkloadIdentity", settings.WorkloadIdentity),
        };
        var set = credentials.Where(c => c.Item2).Select(c => $"{section}:{c.Item1}").ToList();
        if (set.Count != 1)
        {
            errors.Add(set.Count == 0
                ? $"{section} needs a credential: set one of ClientSecret, ClientSecretFile, ClientCertificateFile or WorkloadIdentity."
                : $"{string.Join(" and ", set)} are {(set.Count == 2 ? "both" : "all")} set: keep one credential.");
            return;
        }

        if (settings.ClientSecretFile.Length > 0 && SecretFile.Problem(settings.ClientSecretFile) is { } secretProblem)
        {
            errors.Add($"{section}:ClientSecretFile: {secretProblem}; set it to a readable file holding the client secret (e.g. a mounted Kubernetes Secret).");
        }
        else if (settings.ClientCertificateFile.Length > 0 && ClientCertificate.Problem(settings.ClientCertificateFile) is { } certificateProblem)
        {
            errors.Add($"{section}:ClientCertificateFile: {certificateProblem}.");
        }
        else if (settings.WorkloadIdentity && string.IsNullOrEmpty(environment(Microsoft365Options.FederatedTokenFileVariable)))
        {
            errors.Add($"{section}:WorkloadIdentity needs {Microsoft365Options.FederatedTokenFileVariable} in the environment, which the Azure workload identity webhook sets in a pod labelled azure.workload.identity/use: \"true\" whose service account names the client ID.");
        }
    }

    /// <summary>A tenant or client ID: from the section, or with workload identity from the webhook's environment variable.</summary>
    private static void ValidateIdentity(string section, IdentitySetting setting, Func<string, string?> workloadVariable, List<string> errors)
    {
        if (setting.Value.Length > 0)
        {
            if (!setting.Format.IsMatch(setting.Value))
            {
                errors.Add($"{section}:{setting.Name} must be {setting.Meaning}, was '{setting.Value}'.");
            }
        }
        else if (string.IsNullOrEmpty(workloadVariable(setting.Variable)))
        {
            errors.Add($"{section}:{setting.Name} is required: set it to {setting.Meaning} (with WorkloadIdentity, {setting.Variable} in the environment will do).");
        }
    }

    /// <param name="Name">The key in the section.</param>
    /// <param name="Value">Its value.</param>
    /// <param name="Variable">The environment variable that workload identity takes it from when the key is empty.</param>
    /// <param name="Format">What a valid value looks like.</param>
    /// <param name="Meaning">What to set it to, for the message.</param>
    private sealed record IdentitySetting(string Name, string Value, string Variable, Regex Format, string Meaning);

    [GeneratedRegex("^[A-Za-z0-9.-]+$")]
    private static partial Regex TenantId();

    [GeneratedRegex("^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")]
    private static partial Regex Guid();
}
