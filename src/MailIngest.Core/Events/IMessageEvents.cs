namespace MailIngest.Events;

/// <summary>
/// The event port (docs/events.md): an event for each message stored or quarantined, recorded in the ledger's journal in
/// the line that records the message and delivered after the session is over, at least once. The core decides when;
/// an implementation (src/MailIngest.Events) decides the format and the sink.
/// </summary>
public interface IMessageEvents
{
    /// <summary>Whether events are made at all; when false the run neither queues nor delivers any.</summary>
    bool Enabled { get; }

    /// <summary>
    /// The event about <paramref name="facts"/> as it will be sent. It counts as queued once the ledger records it, in the
    /// same journal line as the message's entry and behind the same durability barrier (docs/architecture.md,
    /// "Durability"); a crash before that makes the next run fetch the message again and make the same event again.
    /// </summary>
    PendingEvent Prepare(MessageEventFacts facts);

    /// <summary>
    /// Sends queued events, in the order given (oldest first), within the implementation's time budget. Never throws for
    /// a sink that fails: the events it could not take stay pending.
    /// </summary>
    /// <param name="mailbox">The mailbox whose outbox the events are in.</param>
    /// <param name="pending">The events to send, oldest first.</param>
    /// <param name="cancellationToken">A stop: no further event is started.</param>
    Task<DeliveryOutcome> DeliverAsync(string mailbox, IReadOnlyList<PendingEvent> pending, CancellationToken cancellationToken);
}

/// <summary>What a delivery did: the events sent, those the sink refused for good, and why the rest are still pending.</summary>
/// <param name="Delivered">IDs of the events the sink took (or that an earlier, unrecorded delivery had taken).</param>
/// <param name="Dead">Events the sink refused for good: the ledger keeps them as dead letters until re-sent.</param>
/// <param name="Error">Why delivery stopped before the end (the sink is down, the budget ran out), or null when every event was handled.</param>
public sealed record DeliveryOutcome(IReadOnlyList<string> Delivered, IReadOnlyList<DeadLetter> Dead, string? Error)
{
    public static DeliveryOutcome Nothing { get; } = new([], [], null);
}

/// <summary>An event in the outbox, waiting to be delivered, as the ledger keeps it.</summary>
/// <param name="Id">The event's ID (<see cref="MessageEventFacts.Id"/>).</param>
/// <param name="Type">What happened to the message.</param>
/// <param name="QueuedAt">When the event was queued: its age is how late its consumers are.</param>
/// <param name="Body">The event as it is sent, byte for byte (a webhook's signature covers these bytes).</param>
public sealed record PendingEvent(string Id, MessageEventType Type, DateTimeOffset QueuedAt, string Body);

/// <summary>An event the sink refused for good (a webhook's 4xx other than 408 and 429), kept until <c>mailingest events resend</c>.</summary>
/// <param name="Id">The event's ID.</param>
/// <param name="Type">What happened to the message.</param>
/// <param name="QueuedAt">When the event was first queued.</param>
/// <param name="DeadAt">When the sink refused it.</param>
/// <param name="Reason">The sink's answer.</param>
/// <param name="Body">The event as it was sent, to send again.</param>
public sealed record DeadLetter(string Id, MessageEventType Type, DateTimeOffset QueuedAt, DateTimeOffset DeadAt, string Reason, string Body)
{
    /// <summary>The dead letter back in line, where it was first queued.</summary>
    public PendingEvent Requeued() => new(Id, Type, QueuedAt, Body);
}

/// <summary>What happened to a message, the event's type (docs/events.md).</summary>
public enum MessageEventType
{
    /// <summary><c>mailingest.message.stored</c>: its manifest is in <c>messages/</c>.</summary>
    Stored,

    /// <summary><c>mailingest.message.quarantined</c>: it is kept, or recorded without its bytes, under <c>quarantine/</c>.</summary>
    Quarantined,

    /// <summary><c>mailingest.message.reprocessed</c>: <c>mailingest reprocess</c> rewrote its manifest in <c>messages/</c> (docs/reprocess.md).</summary>
    Reprocessed,
}
