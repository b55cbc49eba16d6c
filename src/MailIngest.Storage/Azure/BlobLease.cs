using Azure.Storage.Blobs.Specialized;
using MailIngest.Archive;
using Microsoft.Extensions.Logging;

namespace MailIngest.Storage.Azure;

/// <summary>
/// A held mailbox lease, renewed in the background every third of its duration while the run lasts and released at
/// dispose. If this process dies, renewal stops and Azure ends the lease by itself after its duration.
/// </summary>
internal sealed class BlobLease : IMailboxLock
{
    private readonly BlobLeaseClient _lease;
    private readonly string _mailbox;
    private readonly string _blob;
    private readonly TimeSpan _duration;
    private readonly TimeSpan _releaseTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;

    public BlobLease(BlobLeaseClient lease, string mailbox, TimeSpan duration, TimeSpan releaseTimeout, TimeProvider time, ILogger logger)
    {
        _lease = lease;
        _mailbox = mailbox;
        _blob = lease.Uri.AbsolutePath;
        _duration = duration;
        _releaseTimeout = releaseTimeout;
        _time = time;
        _logger = logger;
        _renewing = RenewAsync(_stop.Token);
    }

    public CancellationToken Lost => CancellationToken.None;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewing;
        _stop.Dispose();
        try
        {
            // Bounded: a storage outage must not hold the run's end; the lease then ends by itself.
            using var timeout = new CancellationTokenSource(_releaseTimeout, _time);
            await _lease.ReleaseAsync(cancellationToken: timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.LeaseReleaseFailed(_logger, _mailbox, _blob, _duration, AzureFailure.Reason(e, _releaseTimeout));
        }
    }

    private async Task RenewAsync(CancellationToken stop)
    {
        var interval = _duration / 3;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _time, stop);
                await _lease.RenewAsync(cancellationToken: stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Keep trying: a short outage must not give up a lease that still has time left. If it ran out, the
                // ledger's ETag condition still keeps a second worker's ledger from being overwritten.
                Log.LeaseRenewalFailed(_logger, _mailbox, _blob, AzureFailure.Reason(e, _releaseTimeout));
            }
        }
    }
}
