using MailIngest.Archive;
using MailIngest.Ledger;

namespace MailIngest.Ingestion;

/// <summary>The counters of one mailbox run, when the ledger was last made durable, and whether the caller asked the run to stop.</summary>
internal sealed class RunProgress(TimeProvider time, DateTimeOffset startedAt, LedgerTotals totalsBefore, CancellationToken stopping)
{
    private readonly long _startedTimestamp = time.GetTimestamp();
    private long _flushedTimestamp = time.GetTimestamp();
    private int _stored;
    private int _quarantined;
    private int _deleted;
    private long _bytes;

    public int New { get; set; }

    /// <summary>The caller wants the run to end: no new batch starts, but what is in hand is stored, recorded and committed.</summary>
    public bool StopRequested => stopping.IsCancellationRequested;

    public int Remaining { get; set; }

    /// <summary>Reconnects this run made after a transient failure.</summary>
    public int Reconnects { get; set; }

    /// <summary>For <c>adopt</c>: UIDLs recorded as seen without fetching.</summary>
    public int? Adopted { get; set; }

    /// <summary>Messages this run stored or quarantined: they count against the run's message budget across reconnects.</summary>
    public int Fetched => _stored + _quarantined;

    public long Bytes => _bytes;

    public int SinceFlush { get; private set; }

    public TimeSpan Elapsed => time.GetElapsedTime(_startedTimestamp);

    public TimeSpan SinceFlushTime => time.GetElapsedTime(_flushedTimestamp);

    /// <summary>The mailbox's totals including this run so far.</summary>
    public LedgerTotals Totals => new(
        totalsBefore.MessagesStored + _stored,
        totalsBefore.BytesStored + _bytes,
        totalsBefore.Quarantined + _quarantined,
        totalsBefore.Deleted + _deleted);

    public void Record(StoredMessage message)
    {
        if (message.Quarantined)
        {
            _quarantined++;
        }
        else
        {
            _stored++;
        }

        _bytes += message.Size;
        SinceFlush++;
    }

    public void Deleted(int count) => _deleted += count;

    public void Flushed()
    {
        SinceFlush = 0;
        _flushedTimestamp = time.GetTimestamp();
    }

    public RunRecord ToRecord(RunOutcome outcome, string? error) =>
        new(startedAt, time.GetUtcNow(), outcome, error, New, _stored, _quarantined, _deleted, _bytes);

    public MailboxRunResult ToResult(string mailbox, MailboxRunStatus status, string? error) =>
        new(mailbox, status, New, _stored, _quarantined, _deleted, Remaining, _bytes, Elapsed, error)
        {
            Reconnects = Reconnects,
            Adopted = Adopted,
        };
}
