using Azure;
using Azure.Storage.Blobs.Specialized;
using MailIngest.Archive;
using Microsoft.Extensions.Logging;

namespace MailIngest.Storage.Azure;

/// <summary>
/// A held mailbox lease, renewed in the background every third of its duration while the run lasts and released at
/// dispose. If this process dies, renewal stops and Azure ends the lease by itself after its duration.
/// </summary>
/// <remarks>
/// A renewal may take a third of the lease at most, whatever the SDK's retries would take: one that hangs is given up
/// then, and another is tried while one can still end before the lease may have run out. Once none can,
/// or once Azure answers that the lease is not this holder's any more (409, or 404 for a deleted lock blob),
/// <see cref="Lost"/> is cancelled at once, so that the run stops before another worker can take the mailbox.
/// <see cref="StorageOptionsValidator"/> makes sure a third of the lease holds a timed-out try and a retry.
/// </remarks>
internal sealed class BlobLease : IMailboxLock
{
    private readonly BlobLeaseClient _lease;
    private readonly string _mailbox;
    private readonly string _blob;
    private readonly TimeSpan _duration;
    private readonly TimeSpan _networkTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _renewing;
    private long _renewedAt;

    /// <param name="lease">The lease, taken.</param>
    /// <param name="mailbox">The mailbox it locks.</param>
    /// <param name="duration">How long it lasts unrenewed.</param>
    /// <param name="takenAt">The <see cref="TimeProvider.GetTimestamp"/> from before the request that took it: it lasts at least <paramref name="duration"/> from then.</param>
    /// <param name="networkTimeout">How long one storage request may take (<c>NetworkTimeout</c>); the release waits no longer.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where renewal failures and the loss of the lease are told.</param>
    public BlobLease(BlobLeaseClient lease, string mailbox, TimeSpan duration, long takenAt, TimeSpan networkTimeout, TimeProvider time, ILogger logger)
    {
        _lease = lease;
        _mailbox = mailbox;
        _blob = lease.Uri.AbsolutePath;
        _duration = duration;
        _networkTimeout = networkTimeout;
        _time = time;
        _logger = logger;
        _renewedAt = takenAt;
        _renewing = RenewAsync(_stop.Token);
    }

    public CancellationToken Lost => _lost.Token;

    /// <remarks>
    /// By the clock as well as by <see cref="Lost"/>: a process frozen (SIGSTOP, a paused VM) for longer than the lease
    /// wakes up with its renewal timer and its run racing; the run must not write before the renewal has told. The
    /// write that follows must also end before the lease could, so a network timeout is kept in hand.
    /// </remarks>
    public bool IsHeld => !_lost.IsCancellationRequested && _time.GetElapsedTime(Volatile.Read(ref _renewedAt)) + _networkTimeout < _duration;

    /// <summary>The longest one renewal may take, the SDK's retries included: a third of the lease.</summary>
    public static TimeSpan RenewalLimit(TimeSpan duration) => duration / 3;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewing;
        _stop.Dispose();
        if (!_lost.IsCancellationRequested)
        {
            try
            {
                // Bounded: a storage outage must not hold the run's end; the lease then ends by itself.
                using var timeout = new CancellationTokenSource(_networkTimeout, _time);
                await _lease.ReleaseAsync(cancellationToken: timeout.Token);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.LeaseReleaseFailed(_logger, _mailbox, _blob, _duration, AzureFailure.Reason(e, _networkTimeout));
            }
        }

        _lost.Dispose();
    }

    /// <param name="stop">Cancelled at dispose.</param>
    private async Task RenewAsync(CancellationToken stop)
    {
        var interval = _duration / 3;
        var limit = RenewalLimit(_duration);
        // After a failed renewal the next comes sooner, while there is still time for one.
        var retryPause = _duration / 12;
        var pause = interval;
        try
        {
            while (true)
            {
                await Task.Delay(pause, _time, stop);
                var attempt = _time.GetTimestamp();
                using var timeout = new CancellationTokenSource(limit, _time);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
                try
                {
                    await _lease.RenewAsync(cancellationToken: deadline.Token);
                    Volatile.Write(ref _renewedAt, attempt);
                    pause = interval;
                }
                catch (RequestFailedException e) when (e.Status is 404 or 409)
                {
                    await LoseAsync($"Azure answered HTTP {e.Status} {e.ErrorCode}: another worker may hold it now");
                    return;
                }
                catch (Exception e) when (e is not OutOfMemoryException && !stop.IsCancellationRequested)
                {
                    var reason = timeout.IsCancellationRequested
                        ? $"no answer within {limit}, a third of {StorageOptions.SectionName}:LeaseDuration"
                        : AzureFailure.Reason(e, _networkTimeout);
                    var held = _time.GetElapsedTime(Volatile.Read(ref _renewedAt));
                    if (held + retryPause + limit >= _duration)
                    {
                        await LoseAsync($"no renewal succeeded for {held.TotalSeconds:F0} s, and the lease may end before another could ({reason})");
                        return;
                    }

                    Log.LeaseRenewalFailed(_logger, _mailbox, _blob, reason);
                    pause = retryPause;
                }
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // Disposed while waiting or renewing: the release follows.
        }
    }

    private async Task LoseAsync(string reason)
    {
        Log.LeaseLost(_logger, _mailbox, _blob, reason);
        await _lost.CancelAsync();
    }
}
