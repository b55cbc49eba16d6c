using MailIngest.Events;
using MailIngest.Ledger;
using Microsoft.Extensions.Logging;

namespace MailIngest.Ingestion;

/// <summary>
/// Delivers a mailbox's pending events (oldest first) and notes the outcome in its ledger, for the caller to append.
/// A sink that fails never fails the caller: the events stay pending, and the report says why (docs/events.md).
/// </summary>
internal static class OutboxDelivery
{
    /// <summary>Delivers every pending event.</summary>
    public static Task<EventDeliveryReport?> DeliverAsync(RunServices services, MailboxLedger ledger, CancellationToken stopping) =>
        DeliverAsync(services, ledger, ledger.PendingEvents(), stopping);

    /// <summary>Delivers <paramref name="pending"/>, events of <paramref name="ledger"/>'s outbox, oldest first.</summary>
    public static async Task<EventDeliveryReport?> DeliverAsync(
        RunServices services, MailboxLedger ledger, IReadOnlyList<PendingEvent> pending, CancellationToken stopping)
    {
        if (!services.Events.Enabled)
        {
            return null;
        }

        DeliveryOutcome outcome;
        if (pending.Count == 0 || stopping.IsCancellationRequested)
        {
            outcome = DeliveryOutcome.Nothing;
        }
        else
        {
            try
            {
                outcome = await services.Events.DeliverAsync(ledger.Mailbox, pending, stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                // The store could not be read, or the sink failed in a way it did not report: the events stay pending.
                outcome = new DeliveryOutcome([], [], e.Message);
            }

            ledger.Delivered(outcome.Delivered);
            ledger.DeadLettered(outcome.Dead);
            foreach (var dead in outcome.Dead)
            {
                Log.EventDeadLettered(services.Logger, ledger.Mailbox, dead.Id, dead.Reason);
            }
        }

        var left = ledger.PendingEvents();
        var report = new EventDeliveryReport(
            outcome.Delivered.Count, outcome.Dead.Count, left.Count, left.Count > 0 ? left[0].QueuedAt : null, ledger.DeadLetters().Count, outcome.Error);
        if (outcome.Error is not null)
        {
            Log.EventsPending(services.Logger, ledger.Mailbox, left.Count, outcome.Error);
        }
        else if (outcome.Delivered.Count > 0)
        {
            Log.EventsDelivered(services.Logger, ledger.Mailbox, outcome.Delivered.Count);
        }

        return report;
    }
}
