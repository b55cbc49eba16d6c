namespace MailIngest.Configuration;

/// <summary>
/// How a section reaches an Azure Storage account, checked alike wherever it is set (<c>MailIngest:Storage</c>,
/// <c>MailIngest:Events</c>): a connection string, a file holding one, or a service URI with Azure identity; one of them.
/// </summary>
/// <param name="Section">The section's path, e.g. <c>MailIngest:Storage</c>.</param>
/// <param name="ConnectionString">Its <c>ConnectionString</c>.</param>
/// <param name="ConnectionStringFile">Its <c>ConnectionStringFile</c>.</param>
/// <param name="ServiceUri">Its <c>ServiceUri</c>.</param>
public sealed record AzureAccountSettings(string Section, string ConnectionString, string ConnectionStringFile, string ServiceUri)
{
    /// <summary>What is wrong with the three settings, naming the keys and the fix, or null when they are right.</summary>
    /// <param name="service">The storage service, as its endpoint names it: <c>blob</c> or <c>queue</c>.</param>
    /// <param name="user">What needs the account, for the message: <c>the AzureBlob provider</c>.</param>
    /// <param name="isConnectionString">Whether the service's client takes a connection string.</param>
    public string? Problem(string service, string user, Func<string, bool> isConnectionString)
    {
        var (section, connectionString, connectionStringFile, serviceUri) = this;
        ArgumentNullException.ThrowIfNull(isConnectionString);
        var hasFile = !string.IsNullOrWhiteSpace(connectionStringFile);
        var hasConnectionString = hasFile || !string.IsNullOrWhiteSpace(connectionString);
        var hasServiceUri = !string.IsNullOrWhiteSpace(serviceUri);
        if (hasFile && !string.IsNullOrWhiteSpace(connectionString))
        {
            return $"{section}:ConnectionString and {section}:ConnectionStringFile are both set: keep one (ConnectionStringFile for a mounted secret).";
        }

        if (hasFile && SecretFile.Problem(connectionStringFile) is { } problem)
        {
            return $"{section}:ConnectionStringFile: {problem}; set it to a readable file holding the connection string (e.g. a mounted Kubernetes Secret).";
        }

        if (hasConnectionString == hasServiceUri)
        {
            return hasConnectionString
                ? $"{section}:ConnectionString and {section}:ServiceUri are both set: keep one (the connection string carries its own credential; ServiceUri uses Azure identity)."
                : $"{section}:ConnectionString or {section}:ServiceUri is required for {user}: set a connection string, or the account's {service} endpoint (https://ACCOUNT.{service}.core.windows.net) to sign in with Azure identity.";
        }

        if (hasConnectionString && !isConnectionString(hasFile ? SecretFile.Read(connectionStringFile) : connectionString))
        {
            // The value itself is not repeated: it holds the account key or a SAS.
            return $"{section}:{(hasFile ? "ConnectionStringFile does not hold" : "ConnectionString is not")} a valid Azure Storage connection string: copy it from the storage account's \"Access keys\" page, or use UseDevelopmentStorage=true for Azurite.";
        }

        return hasServiceUri && !(Uri.TryCreate(serviceUri, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps)
            ? $"{section}:ServiceUri must be an https URL such as https://ACCOUNT.{service}.core.windows.net (Azure identity sends tokens over https only), was '{serviceUri}'."
            : null;
    }
}
