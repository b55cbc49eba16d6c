using MailIngest.Events;
using MailIngest.Ledger;

namespace MailIngest.Ingestion;

/// <summary>
/// A mailbox's outbox outside a run (docs/events.md): what <c>mailingest events</c> lists and re-sends, and what
/// <c>mailingest run</c> delivers between scheduled runs.
/// </summary>
public interface IEventOutbox
{
    /// <summary>The events waiting and the dead letters, as the ledger last recorded them; takes no lock, changes nothing.</summary>
    Task<OutboxContents> ReadAsync(string mailbox, CancellationToken cancellationToken);

    /// <summary>Takes the mailbox's lock and delivers its pending events; null when another worker holds the lock (it delivers them).</summary>
    Task<EventDeliveryReport?> DeliverAsync(string mailbox, CancellationToken cancellationToken);

    /// <summary>
    /// Puts dead letters (all, or those with the given IDs) back into the outbox and delivers the outbox now; what the
    /// sink does not take stays pending for later deliveries.
    /// </summary>
    Task<ResendResult> ResendAsync(string mailbox, IReadOnlyCollection<string> ids, CancellationToken cancellationToken);
}

/// <summary>A mailbox's outbox: the events waiting, oldest first, and the dead letters.</summary>
public sealed record OutboxContents(string Mailbox, IReadOnlyList<PendingEvent> Pending, IReadOnlyList<DeadLetter> Dead);

/// <summary>What <c>mailingest events resend</c> did.</summary>
/// <param name="Mailbox">The mailbox.</param>
/// <param name="Requeued">The dead letters put back into the outbox.</param>
/// <param name="Delivery">What the delivery after it did; null when nothing was re-queued.</param>
/// <param name="Error">Why nothing was done: the lock is held, or IDs are not dead letters.</param>
public sealed record ResendResult(string Mailbox, IReadOnlyList<string> Requeued, EventDeliveryReport? Delivery, string? Error);

internal sealed class EventOutbox(RunServices services, IngestMetrics metrics) : IEventOutbox
{
    public async Task<OutboxContents> ReadAsync(string mailbox, CancellationToken cancellationToken)
    {
        var ledger = await services.Ledgers.LoadAsync(mailbox, cancellationToken);
        return new OutboxContents(mailbox, ledger.PendingEvents(), ledger.DeadLetters());
    }

    public async Task<EventDeliveryReport?> DeliverAsync(string mailbox, CancellationToken cancellationToken)
    {
        await using var mailboxLock = await services.Archive.TryLockMailboxAsync(mailbox, cancellationToken);
        if (mailboxLock is null)
        {
            Log.OutboxLocked(services.Logger, mailbox);
            return null;
        }

        var ledger = await services.Ledgers.LoadAsync(mailbox, cancellationToken);
        return await DeliverLockedAsync(ledger, mailboxLock, cancellationToken);
    }

    public async Task<ResendResult> ResendAsync(string mailbox, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await using var mailboxLock = await services.Archive.TryLockMailboxAsync(mailbox, cancellationToken);
        if (mailboxLock is null)
        {
            return new ResendResult(mailbox, [], null, "another worker holds the mailbox lock; try again when its run is over");
        }

        var ledger = await services.Ledgers.LoadAsync(mailbox, cancellationToken);
        var dead = ledger.DeadLetters();
        var unknown = ids.Where(id => dead.All(d => d.Id != id)).ToList();
        if (unknown.Count > 0)
        {
            return new ResendResult(mailbox, [], null, $"not dead letters of this mailbox: {string.Join(", ", unknown)} ('mailingest events --mailbox {mailbox}' lists them)");
        }

        var requeued = dead.Where(d => ids.Count == 0 || ids.Contains(d.Id)).ToList();
        if (requeued.Count == 0)
        {
            return new ResendResult(mailbox, [], null, null);
        }

        foreach (var letter in requeued)
        {
            // The event keeps its place in line: it was queued then.
            ledger.Queue(letter.Requeued());
        }

        await services.Ledgers.MakeDurableAsync(ledger, cancellationToken);
        var delivery = await DeliverLockedAsync(ledger, mailboxLock, cancellationToken);
        return new ResendResult(mailbox, [.. requeued.Select(d => d.Id)], delivery, null);
    }

    private async Task<EventDeliveryReport?> DeliverLockedAsync(MailboxLedger ledger, Archive.IMailboxLock mailboxLock, CancellationToken cancellationToken)
    {
        var report = await OutboxDelivery.DeliverAsync(services, ledger, cancellationToken);
        if (mailboxLock.Lost.IsCancellationRequested)
        {
            throw new MailboxLockLostException(ledger.Mailbox);
        }

        await services.Ledgers.AppendAsync(ledger, includeKept: false, CancellationToken.None);
        if (report is not null)
        {
            metrics.OutboxObserved(ledger.Mailbox, report);
        }

        return report;
    }
}
