namespace MailIngest.Configuration;

/// <summary>
/// Gets a mailbox's OAuth2 tokens from Microsoft Entra ID with the client-credentials flow, as an app that Exchange Online
/// lets read the mailbox (<c>POP.AccessAsApp</c>). Exactly one credential: <see cref="ClientSecret"/>,
/// <see cref="ClientSecretFile"/>, <see cref="ClientCertificateFile"/> or <see cref="WorkloadIdentity"/>.
/// </summary>
public sealed class Microsoft365Options
{
    /// <summary>The scope of Exchange Online in Microsoft's public cloud.</summary>
    public const string DefaultScope = "https://outlook.office365.com/.default";

    /// <summary>Set by the Azure workload identity webhook in a pod labelled <c>azure.workload.identity/use: "true"</c>.</summary>
    public const string TenantIdVariable = "AZURE_TENANT_ID";

    /// <inheritdoc cref="TenantIdVariable"/>
    public const string ClientIdVariable = "AZURE_CLIENT_ID";

    /// <inheritdoc cref="TenantIdVariable"/>
    public const string FederatedTokenFileVariable = "AZURE_FEDERATED_TOKEN_FILE";

    /// <summary>The directory (tenant) ID or a verified domain such as <c>contoso.onmicrosoft.com</c>; with <see cref="WorkloadIdentity"/> it may come from <c>AZURE_TENANT_ID</c>.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>The application (client) ID of the app registration; with <see cref="WorkloadIdentity"/> it may come from <c>AZURE_CLIENT_ID</c>.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>A client secret of the app registration; set it from a secret, not in the configuration file.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>
    /// A file holding the client secret instead of <see cref="ClientSecret"/> (one trailing newline is not part of it);
    /// read at every session, so a rotated secret takes effect at the next run.
    /// </summary>
    public string ClientSecretFile { get; set; } = "";

    /// <summary>
    /// A certificate uploaded to the app registration, with its RSA private key: a PEM file holding both, or a PKCS#12
    /// (.pfx) file without a password. Read at every session, so a renewed certificate takes effect at the next run.
    /// </summary>
    public string ClientCertificateFile { get; set; } = "";

    /// <summary>
    /// Sign in with Azure workload identity: the federated token the AKS webhook projects into the pod
    /// (<c>AZURE_FEDERATED_TOKEN_FILE</c>) stands for the app registration's credential.
    /// </summary>
    public bool WorkloadIdentity { get; set; }

    /// <summary>
    /// The Entra authority, e.g. <c>https://login.microsoftonline.us</c> for a sovereign cloud; empty means
    /// <c>AZURE_AUTHORITY_HOST</c> when set, else the public cloud's <c>https://login.microsoftonline.com</c>.
    /// </summary>
    public string AuthorityHost { get; set; } = "";

    /// <summary>The token's scope: Exchange Online's resource with <c>/.default</c> (another cloud's, e.g. <c>https://outlook.office365.us/.default</c>).</summary>
    public string Scope { get; set; } = DefaultScope;
}
