namespace MailIngest.Ledger;

/// <summary>Reads what a mailbox's ledger says about it, for <c>mailingest status</c>; changes nothing and takes no lock.</summary>
public interface IMailboxStatusReader
{
    /// <summary>The ledger as last written, or null when the mailbox was never ingested.</summary>
    Task<LedgerStatus?> ReadAsync(string mailbox, CancellationToken cancellationToken);
}

internal sealed class MailboxStatusReader(LedgerStore ledgers) : IMailboxStatusReader
{
    public async Task<LedgerStatus?> ReadAsync(string mailbox, CancellationToken cancellationToken)
    {
        var ledger = await ledgers.LoadAsync(mailbox, cancellationToken);
        if (!ledger.Position.Exists)
        {
            return null;
        }

        var entries = ledger.Entries();
        var pending = ledger.PendingEvents();
        return new LedgerStatus(
            entries.Count,
            entries.GroupBy(e => e.State).ToDictionary(g => g.Key, g => g.Count()),
            ledger.DiedInFlight.Count,
            ledger.HighWaterMark,
            ledger.Totals,
            ledger.LastRun)
        {
            EventsPending = pending.Count,
            OldestEventQueuedAt = pending.Count > 0 ? pending[0].QueuedAt : null,
            DeadLetters = ledger.DeadLetters().Count,
        };
    }
}

/// <summary>A ledger's summary: how many entries of each state, the high-water mark, totals and the last run.</summary>
/// <param name="Entries">Messages on the server the ledger knows of.</param>
/// <param name="ByState">How many entries are in each state (stored, seen, skipped, failed, ...).</param>
/// <param name="InFlight">Messages a run was handling when it died; the next run counts an attempt for each.</param>
/// <param name="HighWaterMark">The newest ingested ID in server order.</param>
/// <param name="Totals">Counts over the mailbox's history.</param>
/// <param name="LastRun">What the last run did.</param>
public sealed record LedgerStatus(
    int Entries, IReadOnlyDictionary<EntryState, int> ByState, int InFlight, string? HighWaterMark, LedgerTotals Totals, RecordedRun? LastRun)
{
    /// <summary>Events waiting in the outbox to be delivered (docs/events.md).</summary>
    public int EventsPending { get; init; }

    /// <summary>When the oldest of them was queued; null when none waits.</summary>
    public DateTimeOffset? OldestEventQueuedAt { get; init; }

    /// <summary>Events the sink refused for good, until <c>mailingest events resend</c>.</summary>
    public int DeadLetters { get; init; }

    public int Count(EntryState state) => ByState.GetValueOrDefault(state);
}
