using MailIngest.Events;
using MailIngest.Ledger;

namespace MailIngest.Ingestion;

/// <summary>
/// Sends a run's events while the run goes on (docs/events.md): after each durable ledger write, the events recorded so
/// far go out in the background, one delivery at a time, so that consumers hear of mail while the run is still fetching
/// and the delivery after the session has little left to do. Neither the session nor the store waits for it. A delivery
/// that fails (the sink is down, the budget ran out) ends the background deliveries of the run; the one after the
/// session tries once more.
/// </summary>
internal sealed class RunEventDelivery(RunServices services, MailboxLedger ledger, CancellationToken stopping)
{
    private Task _current = Task.CompletedTask;
    private int _delivered;
    private int _deadLettered;
    private bool _failed;

    /// <summary>Starts delivering the recorded events, unless a delivery is under way (the next durable write starts the next).</summary>
    public void Start()
    {
        if (!services.Events.Enabled || _failed || !_current.IsCompleted)
        {
            return;
        }

        var recorded = ledger.RecordedEvents();
        if (recorded.Count > 0)
        {
            _current = Task.Run(() => DeliverAsync(recorded), CancellationToken.None);
        }
    }

    /// <summary>Waits for the delivery under way, then, unless <paramref name="deliverRest"/> is false, delivers every event left.</summary>
    /// <returns>What the run's deliveries did together; null when events are off, or when the rest is not delivered.</returns>
    public async Task<EventDeliveryReport?> FinishAsync(bool deliverRest)
    {
        await _current;
        if (!deliverRest)
        {
            return null;
        }

        var last = await OutboxDelivery.DeliverAsync(services, ledger, stopping);
        return last?.After(_delivered, _deadLettered);
    }

    private async Task DeliverAsync(IReadOnlyList<PendingEvent> recorded)
    {
        var report = await OutboxDelivery.DeliverAsync(services, ledger, recorded, stopping);
        if (report is not null)
        {
            _delivered += report.Delivered;
            _deadLettered += report.DeadLettered;
            _failed = report.Error is not null;
        }
    }
}
