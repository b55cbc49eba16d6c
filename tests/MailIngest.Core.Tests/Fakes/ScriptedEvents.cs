using System.Collections.Concurrent;
using MailIngest.Events;

namespace MailIngest.Core.Tests.Fakes;

/// <summary>
/// Our own event port, scripted: each event's body is a small JSON object naming it, and a test decides what the sink
/// makes of each delivery. The CloudEvents format and the real sinks are
/// tested in MailIngest.Events.Tests and against Azurite and a loopback webhook.
/// </summary>
internal sealed class ScriptedEvents : IMessageEvents
{
    public bool Enabled => true;

    /// <summary>Every event queued, in order.</summary>
    public ConcurrentQueue<MessageEventFacts> Queued { get; } = new();

    /// <summary>IDs the sink took, in order.</summary>
    public ConcurrentQueue<string> Sent { get; } = new();

    /// <summary>Called with each event as its delivery starts.</summary>
    public Action<PendingEvent>? Delivering { get; set; }

    /// <summary>What the sink answers for each event: delivered by default.</summary>
    public Func<string, DeliveryAnswer> Answer { get; set; } = _ => DeliveryAnswer.Delivered;

    public PendingEvent Prepare(MessageEventFacts facts)
    {
        Queued.Enqueue(facts);
        return new PendingEvent(facts.Id, facts.Type, facts.Time, $$"""{"id":"{{facts.Id}}"}""");
    }

    public Task<DeliveryOutcome> DeliverAsync(string mailbox, IReadOnlyList<PendingEvent> pending, CancellationToken cancellationToken)
    {
        var delivered = new List<string>();
        var dead = new List<DeadLetter>();
        foreach (var queued in pending)
        {
            Delivering?.Invoke(queued);
            switch (Answer(queued.Id))
            {
                case DeliveryAnswer.Delivered:
                    Sent.Enqueue(queued.Id);
                    delivered.Add(queued.Id);
                    break;
                case DeliveryAnswer.Refused:
                    dead.Add(new DeadLetter(queued.Id, queued.Type, queued.QueuedAt, queued.QueuedAt, "410 Gone", queued.Body));
                    break;
                default:
                    return Task.FromResult(new DeliveryOutcome(delivered, dead, "the sink is down"));
            }
        }

        return Task.FromResult(new DeliveryOutcome(delivered, dead, null));
    }
}

internal enum DeliveryAnswer
{
    Delivered,
    Refused,
    Down,
}
