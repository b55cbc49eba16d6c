using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using MailIngest.Configuration;
using MailIngest.Storage.Azure;
using MailIngest.Storage.FileSystem;
using Microsoft.Extensions.Options;

namespace MailIngest.Storage;

/// <summary>Checks the storage settings at start, naming the key and the fix.</summary>
internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    private const string Section = StorageOptions.SectionName;
    private static readonly TimeSpan MinLeaseDuration = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromSeconds(60);

    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = options.Provider switch
        {
            StorageProvider.FileSystem => ValidateFileSystem(options),
            StorageProvider.AzureBlob => ValidateAzure(options),
            _ => [$"{Section}:Provider must be FileSystem or AzureBlob, was {options.Provider}."],
        };
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    private static List<string> ValidateFileSystem(StorageOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            failures.Add($"{Section}:Path is required for the FileSystem provider: set it to the archive's folder, e.g. ./data.");
        }

        if (ArchiveModes.Problem(options.FileMode, folder: false) is { } fileProblem)
        {
            failures.Add($"{Section}:FileMode {fileProblem}; was '{options.FileMode}'.");
        }

        if (ArchiveModes.Problem(options.FolderMode, folder: true) is { } folderProblem)
        {
            failures.Add($"{Section}:FolderMode {folderProblem}; was '{options.FolderMode}'.");
        }

        return failures;
    }

    private static List<string> ValidateAzure(StorageOptions options)
    {
        var failures = new List<string>();
        var settings = new AzureAccountSettings(Section, options.ConnectionString, options.ConnectionStringFile, options.ServiceUri);
        if (settings.Problem("blob", "the AzureBlob provider", IsConnectionString) is { } account)
        {
            failures.Add(account);
        }

        if (!ContainerName().IsMatch(options.Container))
        {
            failures.Add($"{Section}:Container must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit, was '{options.Container}'.");
        }

        var timingsInRange = failures.Count;
        if (options.LeaseDuration < MinLeaseDuration || options.LeaseDuration > MaxLeaseDuration)
        {
            failures.Add($"{Section}:LeaseDuration must be between {MinLeaseDuration} and {MaxLeaseDuration} (Azure's limits for a blob lease), was {options.LeaseDuration}.");
        }

        if (options.NetworkTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:NetworkTimeout must be positive, e.g. 00:00:15, was {options.NetworkTimeout}.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add($"{Section}:MaxRetries must be between 0 and 10, was {options.MaxRetries}.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromSeconds(30))
        {
            failures.Add($"{Section}:RetryDelay must be between 00:00:00 and 00:00:30, was {options.RetryDelay}.");
        }

        if (failures.Count == timingsInRange && options.NetworkTimeout + options.RetryDelay >= BlobLease.RenewalLimit(options.LeaseDuration))
        {
            failures.Add(LeaseTooShort(options));
        }

        if (File.Exists(options.SpoolRoot))
        {
            failures.Add($"{Section}:SpoolPath must name a folder, but {options.SpoolRoot} is a file: remove it, or choose another folder.");
        }

        return failures;
    }

    /// <summary>
    /// A renewal of the mailbox lease is given a third of the lease; a try that times out and a retry after it must fit
    /// in it, or one slow answer loses the lease (see <see cref="BlobLease"/>).
    /// </summary>
    private static string LeaseTooShort(StorageOptions options)
    {
        var needed = 3 * (options.NetworkTimeout + options.RetryDelay) + TimeSpan.FromSeconds(3);
        var fix = needed <= MaxLeaseDuration
            ? $"raise LeaseDuration to {needed} or more, or lower NetworkTimeout"
            : $"lower NetworkTimeout to {BlobLease.RenewalLimit(MaxLeaseDuration) - options.RetryDelay - TimeSpan.FromSeconds(1)} or less (with LeaseDuration {MaxLeaseDuration}, the longest Azure allows)";
        return $"{Section}:LeaseDuration {options.LeaseDuration} is too short for {Section}:NetworkTimeout {options.NetworkTimeout} and " +
            $"{Section}:RetryDelay {options.RetryDelay}: a lease renewal has a third of the lease, which must hold a timed-out try, " +
            $"the retry delay and the retry; {fix}.";
    }

    private static bool IsConnectionString(string connectionString)
    {
        try
        {
            _ = new BlobServiceClient(connectionString);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <remarks>Azure's container naming rules: no consecutive hyphens, no leading or trailing one.</remarks>
    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerName();
}
