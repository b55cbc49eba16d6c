using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using MailIngest.Archive;
using Microsoft.Extensions.Logging;

namespace MailIngest.Storage.Azure;

/// <summary>
/// The production store: the archive layout as block blobs in one container. Each blob carries its real Content-Type
/// and metadata to filter on (kind, mailbox, uidl, messageid); the ledger is written with ETag conditions; the
/// mailbox lock is a lease on <c>state/{mailbox}.json.lock</c>.
/// </summary>
/// <remarks>
/// The lease is on a blob of its own rather than on the ledger: the ledger keeps "missing means never ingested" and its
/// ETag conditions, no placeholder ledger is ever needed, and its writes need not carry the lease ID.
/// </remarks>
internal sealed class AzureBlobMailArchive : IMailArchive
{
    private readonly BlobContainerClient _container;
    private readonly StorageOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private Task? _containerReady;

    public AzureBlobMailArchive(BlobContainerClient container, StorageOptions options, TimeProvider time, ILogger<AzureBlobMailArchive> logger)
    {
        _container = container;
        _options = options;
        _time = time;
        _logger = logger;
        // Without the query: a SAS there is a secret, and log lines and errors show this.
        Location = container.Uri.GetLeftPart(UriPartial.Path);
    }

    public string Location { get; }

    public async Task<IAsyncDisposable?> TryLockMailboxAsync(string mailbox, CancellationToken cancellationToken)
    {
        var path = ArchiveLayout.LedgerPath(mailbox) + ".lock";
        var blob = _container.GetBlockBlobClient(path);
        var lease = blob.GetBlobLeaseClient();
        return await CallAsync("taking the lease on", path, async () =>
        {
            try
            {
                await AcquireAsync(blob, lease, mailbox, cancellationToken);
            }
            catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.LeaseAlreadyPresent)
            {
                Log.LeaseHeld(_logger, mailbox, path, _options.LeaseDuration);
                return null;
            }

            // The holder's name goes beside the lease, for 'mailingest status'; only the lease holder may write it.
            await blob.SetMetadataAsync(
                BlobMetadata.OfLock(mailbox, LockHolder.Current(_time)),
                new BlobRequestConditions { LeaseId = lease.LeaseId },
                cancellationToken);
            Log.LeaseTaken(_logger, mailbox, path, _options.LeaseDuration);
            return new BlobLease(lease, mailbox, _options.LeaseDuration, _options.NetworkTimeout, _time, _logger);
        }, cancellationToken);
    }

    public Task<string?> LockHolderAsync(string mailbox, CancellationToken cancellationToken)
    {
        var path = ArchiveLayout.LedgerPath(mailbox) + ".lock";
        return CallAsync("reading the lease on", path, async () =>
        {
            try
            {
                var properties = (await _container.GetBlobClient(path).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
                return properties.LeaseState != LeaseState.Leased ? null
                    : properties.Metadata.TryGetValue(BlobMetadata.Holder, out var holder) ? Uri.UnescapeDataString(holder)
                    : "a worker that did not name itself";
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return (string?)null;
            }
        }, cancellationToken);
    }

    public Task<ArchivedObject?> ReadAsync(string path, CancellationToken cancellationToken) =>
        CallAsync("reading", path, async () =>
        {
            try
            {
                var downloaded = await _container.GetBlobClient(path).DownloadContentAsync(cancellationToken);
                return new ArchivedObject(downloaded.Value.Content.ToMemory(), downloaded.Value.Details.ETag.ToString());
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return (ArchivedObject?)null;
            }
        }, cancellationToken);

    public Task<string> WriteAsync(
        string path,
        ArchiveObjectInfo info,
        Func<Stream, CancellationToken, Task> writeContent,
        WriteCondition condition,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(writeContent);
        return CallAsync("writing", path, async () =>
        {
            var headers = new BlobHttpHeaders { ContentType = info.ContentType };
            await using var upload = new BlockUploadStream(_container.GetBlockBlobClient(path), headers, BlobMetadata.Of(info), ConditionsOf(condition));
            await writeContent(upload, cancellationToken);
            try
            {
                return (await upload.CommitAsync(cancellationToken)).ToString();
            }
            catch (RequestFailedException e) when (condition.IsConditional && e.Status is 409 or 412)
            {
                throw new ArchiveConflictException(
                    $"{path} in {Location} was changed by another writer (expected version {condition.ExpectedVersion ?? "none"}; {e.ErrorCode}).");
            }
        }, cancellationToken);
    }

    /// <remarks>Blob Storage has acknowledged every committed write durably already.</remarks>
    public Task PersistAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task AcquireAsync(BlockBlobClient blob, BlobLeaseClient lease, string mailbox, CancellationToken cancellationToken)
    {
        try
        {
            await lease.AcquireAsync(_options.LeaseDuration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            await CreateLockBlobAsync(blob, mailbox, cancellationToken);
            await lease.AcquireAsync(_options.LeaseDuration, cancellationToken: cancellationToken);
        }
    }

    private static async Task CreateLockBlobAsync(BlockBlobClient blob, string mailbox, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(
                new MemoryStream([]),
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "text/plain" },
                    Metadata = BlobMetadata.OfLock(mailbox, holder: null),
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Another worker created it at the same moment; the lease decides between us.
        }
    }

    private static BlobRequestConditions? ConditionsOf(WriteCondition condition) => condition switch
    {
        { IsConditional: false } => null,
        { ExpectedVersion: null } => new BlobRequestConditions { IfNoneMatch = ETag.All },
        { ExpectedVersion: { } version } => new BlobRequestConditions { IfMatch = new ETag(version) },
    };

    /// <summary>Runs one storage call once the container is there, turning storage failures into one line that names this store.</summary>
    private async Task<T> CallAsync<T>(string action, string path, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken);
        try
        {
            return await call();
        }
        catch (Exception e) when (AzureFailure.IsStorageFailure(e, cancellationToken))
        {
            throw new ArchiveUnavailableException(
                $"Azure Blob Storage at {Location} failed {action} {path}: {AzureFailure.Reason(e, _options.NetworkTimeout)}", e);
        }
    }

    /// <summary>Checks for the container once per process (again after a failure), creating it when missing.</summary>
    private Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            if (_containerReady is null || _containerReady.IsFaulted || _containerReady.IsCanceled)
            {
                _containerReady = PrepareContainerAsync();
            }

            return _containerReady.WaitAsync(cancellationToken);
        }
    }

    private async Task PrepareContainerAsync()
    {
        try
        {
            if (await _container.ExistsAsync())
            {
                return;
            }
        }
        catch (RequestFailedException e) when (e.Status == 403)
        {
            // A SAS or role scoped to blobs may not read the container's properties; the blob calls will tell.
            Log.ContainerNotReadable(_logger, Location, e.ErrorCode);
            return;
        }
        catch (Exception e) when (AzureFailure.IsStorageFailure(e, CancellationToken.None))
        {
            throw new ArchiveUnavailableException(
                $"Azure Blob Storage at {Location} failed checking the container: {AzureFailure.Reason(e, _options.NetworkTimeout)}", e);
        }

        try
        {
            if ((await _container.CreateIfNotExistsAsync()) is not null)
            {
                Log.ContainerCreated(_logger, Location);
            }
        }
        catch (RequestFailedException e) when (e.Status == 403)
        {
            throw new ArchiveUnavailableException(
                $"The container {Location} does not exist, and this identity may not create it ({e.ErrorCode}): create the container " +
                $"'{_container.Name}', or let the identity create it (Storage Blob Data Contributor on the storage account, not only on the container).",
                e);
        }
        catch (Exception e) when (AzureFailure.IsStorageFailure(e, CancellationToken.None))
        {
            throw new ArchiveUnavailableException(
                $"Azure Blob Storage at {Location} failed creating the container: {AzureFailure.Reason(e, _options.NetworkTimeout)}", e);
        }
    }
}
