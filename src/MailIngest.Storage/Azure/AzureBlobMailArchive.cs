using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
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
/// mailbox lock is a lease on <c>state/{mailbox}.json.lock</c>. Append-only objects are Append Blobs.
/// </summary>
/// <remarks>
/// The lease is on a blob of its own rather than on the ledger: the ledger keeps "missing means never ingested" and its
/// ETag conditions, no placeholder ledger is ever needed, and its writes need not carry the lease ID.
/// </remarks>
internal sealed class AzureBlobMailArchive : IMailArchive
{
    /// <summary>The spool holds messages not yet stored: the owner's alone.</summary>
    private const UnixFileMode SpoolMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

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
        // Named after the container, and told apart by its full address from a container of the same name elsewhere.
        var scope = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Location)).AsSpan(0, 4));
        SpoolFolder = Path.Combine(Path.GetFullPath(options.SpoolRoot), $"{container.Name}-{scope}");
    }

    public string Location { get; }

    public string SpoolFolder { get; }

    /// <remarks>
    /// Each request waits on the service far longer than it takes here. Into Azurite, 2,100 messages took 18–29 s with
    /// 32 at once against 25–42 s with 8 (bench/README.md). A message's blocks are staged from a buffer of at most
    /// <see cref="BlockUploadStream.BlockSize"/>, and the spooled messages a run has not stored are bounded, so more
    /// at once holds little more memory.
    /// </remarks>
    public int StoresAtOnce => 32;

    /// <remarks>With the lease taken, the mailbox's spool folder <c>{SpoolFolder}/{mailbox}/</c> is made anew: empty of what a killed run left.</remarks>
    public async Task<IMailboxLock?> TryLockMailboxAsync(string mailbox, CancellationToken cancellationToken)
    {
        var path = ArchiveLayout.LockPath(mailbox);
        var blob = _container.GetBlockBlobClient(path);
        var lease = blob.GetBlobLeaseClient();
        return await CallAsync("taking the lease on", path, async () =>
        {
            var takenAt = _time.GetTimestamp();
            try
            {
                await AcquireAsync(blob, lease, mailbox, cancellationToken);
            }
            catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.LeaseAlreadyPresent)
            {
                Log.LeaseHeld(_logger, mailbox, path, _options.LeaseDuration);
                return null;
            }

            var held = new BlobLease(lease, mailbox, _options.LeaseDuration, takenAt, _options.NetworkTimeout, _time, _logger);
            try
            {
                // The holder's name goes beside the lease, for 'mailingest status'; only the lease holder may write it.
                await blob.SetMetadataAsync(
                    BlobMetadata.OfLock(mailbox, LockHolder.Current(_time)),
                    new BlobRequestConditions { LeaseId = lease.LeaseId },
                    cancellationToken);
                RenewSpool(mailbox);
            }
            catch
            {
                // A lease the run will not use must not block the mailbox for its whole duration.
                await held.DisposeAsync();
                throw;
            }

            Log.LeaseTaken(_logger, mailbox, path, _options.LeaseDuration);
            return (IMailboxLock?)held;
        }, cancellationToken);
    }

    /// <summary>Makes the mailbox's spool folder anew: empty of what a killed run left.</summary>
    private void RenewSpool(string mailbox)
    {
        try
        {
            LocalFolders.Renew(Path.Combine(SpoolFolder, mailbox), SpoolMode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveUnavailableException(
                $"Could not prepare the spool folder of mailbox {mailbox} in {SpoolFolder}: {e.Message} " +
                $"Set {StorageOptions.SectionName}:SpoolPath to a local folder this user may write.",
                e);
        }
    }

    public Task<string?> LockHolderAsync(string mailbox, CancellationToken cancellationToken)
    {
        var path = ArchiveLayout.LockPath(mailbox);
        return CallAsync("reading the lease on", path, async () =>
        {
            try
            {
                var properties = (await _container.GetBlobClient(path).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
                return properties.LeaseState != LeaseState.Leased ? null
                    : properties.Metadata.TryGetValue(BlobMetadata.Holder, out var holder) ? BlobMetadata.Decode(holder)
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

    /// <remarks>A single download streamed as it is read; the SDK resumes it where it broke off if the connection fails.</remarks>
    public Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken) =>
        CallAsync("reading", path, async () =>
        {
            try
            {
                return (Stream?)(await _container.GetBlobClient(path).DownloadStreamingAsync(cancellationToken: cancellationToken)).Value.Content;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return null;
            }
        }, cancellationToken);

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        await using (pages)
        {
            while (await CallAsync("listing", prefix, async () => await pages.MoveNextAsync(), cancellationToken))
            {
                foreach (var blob in pages.Current.Values)
                {
                    yield return blob.Name;
                }
            }
        }
    }

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
            var blob = _container.GetBlockBlobClient(path);
            var headers = new BlobHttpHeaders { ContentType = info.ContentType };
            await using var upload = new BlockUploadStream(blob, headers, BlobMetadata.Of(info), ConditionsOf(condition));
            await writeContent(upload, cancellationToken);
            try
            {
                return (await upload.CommitAsync(cancellationToken)).ToString();
            }
            catch (RequestFailedException e) when (condition.IsConditional && e.Status is 409 or 412)
            {
                // The SDK retries a commit whose answer was lost; if the first try had succeeded, the retry fails the condition.
                return (await VersionHoldingAsync(blob, upload.ContentHash!, cancellationToken))?.ToString() ?? throw new ArchiveConflictException(
                    $"{path} in {Location} was changed by another writer (expected version {condition.ExpectedVersion ?? "none"}; {e.ErrorCode}).");
            }
        }, cancellationToken);
    }

    /// <summary>The blob's version if it holds the content whose MD5 is <paramref name="contentHash"/>, else null.</summary>
    /// <remarks>Another writer that committed the very same content left the blob as this write would have: the same for the caller.</remarks>
    private static async Task<ETag?> VersionHoldingAsync(BlobBaseClient blob, byte[] contentHash, CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return properties.ContentHash is { } hash && hash.AsSpan().SequenceEqual(contentHash) ? properties.ETag : null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <remarks>Uploads the file as <see cref="WriteAsync"/> uploads content, and deletes it once it is stored.</remarks>
    public async Task StoreFileAsync(string path, ArchiveObjectInfo info, string file, WriteCondition condition, CancellationToken cancellationToken)
    {
        await using (var content = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan))
        {
            await WriteAsync(path, info, content.CopyToAsync, condition, cancellationToken);
        }

        File.Delete(file);
    }

    /// <remarks>
    /// An Append Blob, appended to with the condition that it still ends at <paramref name="expectedLength"/>. The SDK
    /// retries an append whose answer was lost; when the first try had succeeded the retry fails that condition, so
    /// before a failed condition is taken for another writer the blob is read: ending with just this content, at just
    /// that offset, it was this append.
    /// </remarks>
    public Task<long> AppendAsync(string path, ReadOnlyMemory<byte> content, long expectedLength, CancellationToken cancellationToken)
    {
        var blob = _container.GetAppendBlobClient(path);
        if (content.Length > blob.AppendBlobMaxAppendBlockBytes)
        {
            throw new ArgumentException(
                $"An append to {path} of {content.Length} bytes is larger than one append block ({blob.AppendBlobMaxAppendBlockBytes} bytes), the most that is appended atomically.",
                nameof(content));
        }

        return CallAsync("appending to", path, async () =>
        {
            if (expectedLength == 0)
            {
                await CreateAppendBlobAsync(blob, cancellationToken);
            }

            try
            {
                await blob.AppendBlockAsync(
                    new MemoryStream(content.ToArray(), writable: false),
                    new AppendBlobAppendBlockOptions { Conditions = new AppendBlobRequestConditions { IfAppendPositionEqual = expectedLength } },
                    cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                if (!await EndsWithAsync(blob, expectedLength, content, cancellationToken))
                {
                    throw new ArchiveConflictException(
                        $"{path} in {Location} was appended to by another writer (expected it {expectedLength} bytes long; {e.ErrorCode}).");
                }
            }

            return expectedLength + content.Length;
        }, cancellationToken);
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken) =>
        CallAsync("deleting", path, async () => (await _container.GetBlobClient(path).DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value, cancellationToken);

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

    /// <summary>Creates an empty Append Blob unless there is one: an empty one left by an append that failed after creating it is just as good.</summary>
    private static async Task CreateAppendBlobAsync(AppendBlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            await blob.CreateAsync(
                new AppendBlobCreateOptions { Conditions = new AppendBlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // It exists; the append's position condition decides whether it is as long as expected.
        }
    }

    /// <summary>Whether the blob is <paramref name="offset"/> plus <paramref name="content"/> bytes long and ends with <paramref name="content"/>.</summary>
    private static async Task<bool> EndsWithAsync(AppendBlobClient blob, long offset, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            if (properties.ContentLength != offset + content.Length)
            {
                return false;
            }

            var tail = await blob.DownloadContentAsync(
                new BlobDownloadOptions { Range = new HttpRange(offset, content.Length), Conditions = new BlobRequestConditions { IfMatch = properties.ETag } },
                cancellationToken);
            return tail.Value.Content.ToMemory().Span.SequenceEqual(content.Span);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Gone, or changed again while it was read: not as this append left it.
            return false;
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
