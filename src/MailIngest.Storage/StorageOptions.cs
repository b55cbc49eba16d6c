namespace MailIngest.Storage;

/// <summary>The <c>MailIngest:Storage</c> section: which store keeps the archive, and where.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "MailIngest:Storage";

    /// <summary>Which store keeps the archive: <c>FileSystem</c> (the default) or <c>AzureBlob</c>.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.FileSystem;

    /// <summary>FileSystem: the archive's root folder, relative to the working directory or absolute.</summary>
    public string Path { get; set; } = "./data";

    /// <summary>AzureBlob: a connection string (also <c>UseDevelopmentStorage=true</c> or one with a SAS).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>AzureBlob: the account's blob endpoint, used with Azure identity when there is no connection string.</summary>
    public string ServiceUri { get; set; } = "";

    /// <summary>AzureBlob: the container that holds the archive.</summary>
    public string Container { get; set; } = "mail";
}

public enum StorageProvider
{
    FileSystem,
    AzureBlob,
}
