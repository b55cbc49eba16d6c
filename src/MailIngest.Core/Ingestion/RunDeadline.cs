using MailIngest.Configuration;

namespace MailIngest.Ingestion;

/// <summary>
/// MaxRunTime inside a retrieval: a run stops starting messages at MaxRunTime, and a retrieval still going on one
/// Timeout later (a server trickling its answer) is cut off, keeping what is stored. Like every budget it never cuts a
/// run before its first message is stored, so that every run makes progress.
/// </summary>
internal sealed class RunDeadline : IDisposable
{
    private readonly CancellationTokenSource _expired = new();
    private readonly Func<bool> _madeProgress;
    private readonly ITimer? _timer;
    private int _waitingForProgress;

    private RunDeadline(TimeSpan? left, TimeProvider time, Func<bool> madeProgress)
    {
        _madeProgress = madeProgress;
        if (left is { } due)
        {
            _timer = time.CreateTimer(_ => Expire(), null, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Cancelled when a retrieval must be cut off.</summary>
    public CancellationToken Token => _expired.Token;

    public static RunDeadline Start(MailboxOptions options, RunCounters counters, TimeProvider time) => new(
        options.MaxRunTime > TimeSpan.Zero ? options.MaxRunTime + options.Timeout - counters.Elapsed : null,
        time,
        () => counters.Fetched > 0);

    /// <summary>A message was stored: if the deadline passed before any was, it cuts off now.</summary>
    public void MessageStored()
    {
        if (Volatile.Read(ref _waitingForProgress) == 1)
        {
            Cancel();
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _expired.Dispose();
    }

    private void Expire()
    {
        if (_madeProgress())
        {
            Cancel();
        }
        else
        {
            Volatile.Write(ref _waitingForProgress, 1);
        }
    }

    private void Cancel()
    {
        try
        {
            _expired.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The retrieval is over already.
        }
    }
}
