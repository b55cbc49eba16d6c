using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using MailIngest.Archive;
using MailIngest.Storage;
using MailIngest.Storage.Azure;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// The archive as a container in a private Azurite, the AzureBlob store. Timeouts and retries are short, so that a
/// test of a storage outage fails in seconds; mailingest creates the container itself on its first run.
/// </summary>
public sealed class AzuriteArchiveUnderTest : ArchiveUnderTest
{
    public const string ContainerName = "mail";

    private AzuriteArchiveUnderTest(AzuriteServer server)
    {
        Server = server;
        Container = server.Container(ContainerName);
    }

    public override StoreKind Kind => StoreKind.AzureBlob;

    public AzuriteServer Server { get; }

    public BlobContainerClient Container { get; }

    /// <summary>The storage settings the tests use; an outage then fails one request in about (1 + 2) × 3 s.</summary>
    public static StorageOptions Options(string connectionString) => new()
    {
        Provider = StorageProvider.AzureBlob,
        ConnectionString = connectionString,
        Container = ContainerName,
        LeaseDuration = TimeSpan.FromSeconds(15),
        NetworkTimeout = TimeSpan.FromSeconds(3),
        MaxRetries = 2,
        RetryDelay = TimeSpan.FromMilliseconds(200),
    };

    public static async Task<AzuriteArchiveUnderTest> StartAsync() => new(await AzuriteServer.StartAsync());

    /// <summary>
    /// <see cref="Options"/> for this server, with the spool in the server's folder: the default spool root (in the system's
    /// temp folder) would keep an empty folder for every test's Azurite, whose endpoint names it.
    /// </summary>
    private StorageOptions OwnOptions()
    {
        var options = Options(Server.ConnectionString);
        options.SpoolPath = Path.Combine(Server.Root, "spool");
        return options;
    }

    public override JsonObject StorageSettings()
    {
        var options = OwnOptions();
        return new JsonObject
        {
            [nameof(StorageOptions.Provider)] = options.Provider.ToString(),
            [nameof(StorageOptions.ConnectionString)] = options.ConnectionString,
            [nameof(StorageOptions.Container)] = options.Container,
            [nameof(StorageOptions.LeaseDuration)] = options.LeaseDuration.ToString(),
            [nameof(StorageOptions.NetworkTimeout)] = options.NetworkTimeout.ToString(),
            [nameof(StorageOptions.MaxRetries)] = options.MaxRetries,
            [nameof(StorageOptions.RetryDelay)] = options.RetryDelay.ToString(),
            [nameof(StorageOptions.SpoolPath)] = options.SpoolPath,
        };
    }

    public override IMailArchive Open()
    {
        var options = OwnOptions();
        return new AzureBlobMailArchive(
            AzureBlobClients.CreateContainerClient(options), options, TimeProvider.System, NullLogger<AzureBlobMailArchive>.Instance);
    }

    public override IReadOnlyList<string> List(string prefix) => Container.Exists()
        ? Container.GetBlobs(new GetBlobsOptions { Prefix = prefix }).Select(blob => blob.Name).Order(StringComparer.Ordinal).ToList()
        : [];

    public override byte[]? Read(string path)
    {
        var blob = Container.GetBlobClient(path);
        return blob.Exists() ? blob.DownloadContent().Value.Content.ToArray() : null;
    }

    public override void Write(string path, byte[] content)
    {
        Container.CreateIfNotExists();
        Container.GetBlobClient(path).Upload(new BinaryData(content), overwrite: true);
    }

    public override void Delete(string path) => Container.GetBlobClient(path).DeleteIfExists();

    /// <summary>Blobs that have blocks staged but never committed, as a killed upload leaves them; a later commit of the blob discards them.</summary>
    public override IReadOnlyList<string> HalfWritten() => Container.Exists()
        ? Container.GetBlobs(new GetBlobsOptions { States = BlobStates.Uncommitted })
            // The ledger's journal is an append blob: its appends are atomic and it has no block list.
            .Where(blob => blob.Properties.BlobType != BlobType.Append)
            .Where(blob => Container.GetBlockBlobClient(blob.Name).GetBlockList(BlockListTypes.Uncommitted).Value.UncommittedBlocks.Any())
            .Select(blob => blob.Name)
            .ToList()
        : [];

    public bool LeaseHeld(string mailbox) =>
        Container.Exists() &&
        Container.GetBlobClient($"state/{mailbox}.json.lock") is var blob &&
        blob.Exists() &&
        blob.GetProperties().Value.LeaseState == LeaseState.Leased;

    public override async Task EndOrphanedLockAsync(string mailbox)
    {
        if (LeaseHeld(mailbox))
        {
            // A break period of zero ends the lease now; the next worker acquires it as it would an expired one.
            await Container.GetBlobClient($"state/{mailbox}.json.lock").GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        }
    }

    public override ValueTask DisposeAsync() => Server.DisposeAsync();
}
