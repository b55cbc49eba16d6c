namespace MailIngest.Storage;

/// <summary>The <c>MailIngest:Storage</c> section: which store keeps the archive, and where.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "MailIngest:Storage";

    /// <summary>Which store keeps the archive: <c>FileSystem</c> (the default) or <c>AzureBlob</c>.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.FileSystem;

    /// <summary>FileSystem: the archive's root folder, relative to the working directory or absolute.</summary>
    public string Path { get; set; } = "./data";

    /// <summary>
    /// FileSystem: the mode of the files the store creates (messages, ledgers, lock files), in octal as chmod takes it.
    /// The default, 600, keeps stored mail from other users of the host; 640 (with a <see cref="FolderMode"/> of 750)
    /// lets a consumer that runs as another user of the archive's group read the archive. Nobody but the owner may write.
    /// </summary>
    public string FileMode { get; set; } = FileSystem.ArchiveModes.DefaultFileMode;

    /// <summary>FileSystem: the mode of the folders the store creates, in octal (default 700); 750 goes with a <see cref="FileMode"/> of 640.</summary>
    public string FolderMode { get; set; } = FileSystem.ArchiveModes.DefaultFolderMode;

    /// <summary>AzureBlob: a connection string (also <c>UseDevelopmentStorage=true</c> or one with a SAS).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>AzureBlob: a file holding the connection string instead (a mounted Kubernetes Secret), read at start.</summary>
    public string ConnectionStringFile { get; set; } = "";

    /// <summary>AzureBlob: the account's blob endpoint, used with Azure identity when there is no connection string.</summary>
    public string ServiceUri { get; set; } = "";

    /// <summary>AzureBlob: the container that holds the archive.</summary>
    public string Container { get; set; } = "mail";

    /// <summary>
    /// AzureBlob: how long a mailbox's lease lasts unrenewed (15 to 60 seconds); a killed worker's lease ends after it.
    /// It is renewed every third of it, and each renewal has a third of it, which must hold a <see cref="NetworkTimeout"/>
    /// and a <see cref="RetryDelay"/> with room for the retry; a run whose lease could not be renewed in time stops.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// AzureBlob: how long one try of a storage request may wait for the service before it is given up; a 4 MiB block
    /// must be uploaded within it. With <see cref="RetryDelay"/> it must stay under a third of <see cref="LeaseDuration"/>.
    /// </summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>AzureBlob: how often the Azure SDK retries a failed or timed-out request (0 to 10).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>AzureBlob: the delay before the first retry; each further one doubles it, up to 30 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// AzureBlob: a local folder for messages on their way to the container, each in a file until it is uploaded; it must
    /// hold the largest message a run fetches. Empty means <c>mailingest-spool</c> in the system's temp folder. Every
    /// container gets a folder of its own in it (mode 0700, the owner's alone), so processes that store into different
    /// containers never touch each other's files.
    /// </summary>
    public string SpoolPath { get; set; } = "";

    /// <summary><see cref="SpoolPath"/>, or when it is empty <c>mailingest-spool</c> in the system's temp folder ($TMPDIR, else /tmp).</summary>
    internal string SpoolRoot => string.IsNullOrWhiteSpace(SpoolPath) ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mailingest-spool") : SpoolPath;

    /// <summary>The connection string: from <see cref="ConnectionStringFile"/> when set (one trailing newline trimmed), else <see cref="ConnectionString"/>.</summary>
    internal string ReadConnectionString() =>
        string.IsNullOrWhiteSpace(ConnectionStringFile) ? ConnectionString : Configuration.SecretFile.Read(ConnectionStringFile);
}

public enum StorageProvider
{
    FileSystem,
    AzureBlob,
}
