using MailIngest.Archive;
using MailIngest.Events;
using MailIngest.Ledger;

namespace MailIngest.Ingestion;

/// <summary>What one mailbox run has done so far, across its sessions, and its clock.</summary>
internal sealed class RunCounters(TimeProvider time, DateTimeOffset startedAt, LedgerTotals totalsBefore)
{
    private readonly long _startedTimestamp = time.GetTimestamp();
    private readonly Lock _sync = new();
    private long _flushedTimestamp = time.GetTimestamp();

    public DateTimeOffset StartedAt => startedAt;

    /// <summary>Messages the first session found to fetch (new, retried or to be verified).</summary>
    public int New { get; set; }

    public int Stored { get; private set; }

    public int Quarantined { get; private set; }

    /// <summary>Messages recorded without fetching because they are larger than MaxMessageSize.</summary>
    public int Skipped { get; private set; }

    /// <summary>Messages given up after MaxAttempts failures of their own.</summary>
    public int Unprocessable { get; private set; }

    public int Deleted { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>Messages the budgets, the clock or a stop left for the next run.</summary>
    public int Remaining { get; set; }

    /// <summary>Reconnects this run made after a transient failure.</summary>
    public int Reconnects { get; set; }

    /// <summary>For <c>adopt</c>: IDs recorded as seen without fetching.</summary>
    public int? Adopted { get; set; }

    /// <summary>What the delivery of events at the end of the run did; null when no sink is configured.</summary>
    public EventDeliveryReport? Events { get; set; }

    /// <summary>For <c>reingest</c>: entries of kept messages set aside to match by raw SHA-256.</summary>
    public int? SetAside { get; set; }

    /// <summary>Messages fetched again after <c>reingest</c> whose bytes were stored before: recorded under their old keys.</summary>
    public int Matched { get; private set; }

    /// <summary>Messages this run stored, quarantined or matched: they count against the run's message budget across reconnects.</summary>
    public int Fetched
    {
        get
        {
            lock (_sync)
            {
                return Stored + Quarantined + Matched;
            }
        }
    }

    /// <summary>Stored or quarantined since the ledger was last made durable.</summary>
    public int SinceFlush { get; private set; }

    public TimeSpan Elapsed => time.GetElapsedTime(_startedTimestamp);

    public TimeSpan SinceFlushTime => time.GetElapsedTime(_flushedTimestamp);

    /// <summary>The mailbox's totals including this run so far.</summary>
    public LedgerTotals Totals
    {
        get
        {
            lock (_sync)
            {
                return new(
                    totalsBefore.MessagesStored + Stored,
                    totalsBefore.BytesStored + Bytes,
                    totalsBefore.Quarantined + Quarantined,
                    totalsBefore.Deleted + Deleted);
            }
        }
    }

    public void Count(StoredMessage message)
    {
        lock (_sync)
        {
            if (message.Quarantined)
            {
                Quarantined++;
            }
            else
            {
                Stored++;
            }

            Bytes += message.Size;
            SinceFlush++;
        }
    }

    /// <summary>A message whose bytes a set-aside entry holds (<c>mailingest reingest</c>): recorded, not stored again.</summary>
    public void CountMatched()
    {
        lock (_sync)
        {
            Matched++;
            SinceFlush++;
        }
    }

    public void CountUnfetched(EntryState state)
    {
        lock (_sync)
        {
            if (state == EntryState.Skipped)
            {
                Skipped++;
            }
            else
            {
                Unprocessable++;
            }
        }
    }

    public void CountDeleted(int count)
    {
        lock (_sync)
        {
            Deleted += count;
        }
    }

    public void Flushed()
    {
        lock (_sync)
        {
            SinceFlush = 0;
            _flushedTimestamp = time.GetTimestamp();
        }
    }

    public RecordedRun ToRecord(RunOutcome outcome, string? error) =>
        new(startedAt, time.GetUtcNow(), outcome, error, New, Stored, Quarantined, Deleted, Bytes);

    public MailboxRunResult ToResult(string mailbox, MailboxRunStatus status, string? error, MailboxLedger ledger) => new(mailbox, status)
    {
        Held = ledger.Entries().Where(e => e.State is EntryState.Skipped or EntryState.Failed or EntryState.Retrying)
            .GroupBy(e => e.State).ToDictionary(g => g.Key, g => g.Count()),
        New = New,
        Stored = Stored,
        Quarantined = Quarantined,
        Skipped = Skipped,
        Unprocessable = Unprocessable,
        Deleted = Deleted,
        Remaining = Remaining,
        Bytes = Bytes,
        Duration = Elapsed,
        Error = error,
        Reconnects = Reconnects,
        Adopted = Adopted,
        Events = Events,
        SetAside = SetAside,
        Matched = Matched,
    };
}
