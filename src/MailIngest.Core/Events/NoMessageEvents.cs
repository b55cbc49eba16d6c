namespace MailIngest.Events;

/// <summary>The port when no sink is configured (<c>MailIngest:Events:Sink</c> <c>None</c>, the default): no event is made.</summary>
public sealed class NoMessageEvents : IMessageEvents
{
    public static NoMessageEvents Instance { get; } = new();

    public bool Enabled => false;

    public PendingEvent Prepare(MessageEventFacts facts) =>
        throw new InvalidOperationException("No event sink is configured; events are not queued.");

    public Task<DeliveryOutcome> DeliverAsync(string mailbox, IReadOnlyList<PendingEvent> pending, CancellationToken cancellationToken) =>
        Task.FromResult(DeliveryOutcome.Nothing);
}
