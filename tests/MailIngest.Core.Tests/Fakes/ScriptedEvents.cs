using System.Collections.Concurrent;
using System.Text;
using MailIngest.Archive;
using MailIngest.Events;

namespace MailIngest.Core.Tests.Fakes;

/// <summary>
/// Our own event port, scripted: events are written to the archive's outbox as the real one writes them (a small JSON
/// object each), and a test decides what the sink makes of each delivery. The CloudEvents format and the real sinks are
/// tested in MailIngest.Events.Tests and against Azurite and a loopback webhook.
/// </summary>
internal sealed class ScriptedEvents(IMailArchive archive, ScriptedServer server) : IMessageEvents
{
    public bool Enabled => true;

    /// <summary>Every event queued, in order.</summary>
    public ConcurrentQueue<MessageEventFacts> Queued { get; } = new();

    /// <summary>IDs the sink took, in order.</summary>
    public ConcurrentQueue<string> Sent { get; } = new();

    /// <summary>How many commands the server had received when the first delivery started: deliveries come after QUIT.</summary>
    public int? ServerCommandsAtFirstDelivery { get; private set; }

    /// <summary>What the sink answers for each event: delivered by default.</summary>
    public Func<string, DeliveryAnswer> Answer { get; set; } = _ => DeliveryAnswer.Delivered;

    public static string PathOf(string mailbox, string id) => $"outbox/{mailbox}/{id}.json";

    public async Task QueueAsync(MessageEventFacts facts, CancellationToken cancellationToken)
    {
        Queued.Enqueue(facts);
        var body = Encoding.UTF8.GetBytes($$"""{"id":"{{facts.Id}}"}""");
        await archive.WriteAsync(
            PathOf(facts.Mailbox, facts.Id),
            new ArchiveObjectInfo("application/json", ArchiveObjectKind.Event, facts.Mailbox),
            (stream, ct) => stream.WriteAsync(body, ct).AsTask(),
            WriteCondition.None,
            cancellationToken);
    }

    public async Task<DeliveryOutcome> DeliverAsync(string mailbox, IReadOnlyList<PendingEvent> pending, CancellationToken cancellationToken)
    {
        ServerCommandsAtFirstDelivery ??= server.Commands.Count;
        var delivered = new List<string>();
        var dead = new List<DeadLetter>();
        foreach (var queued in pending)
        {
            switch (Answer(queued.Id))
            {
                case DeliveryAnswer.Delivered:
                    Sent.Enqueue(queued.Id);
                    await archive.DeleteAsync(PathOf(mailbox, queued.Id), cancellationToken);
                    delivered.Add(queued.Id);
                    break;
                case DeliveryAnswer.Refused:
                    dead.Add(new DeadLetter(queued.Id, queued.Type, queued.QueuedAt, queued.QueuedAt, "410 Gone"));
                    break;
                default:
                    return new DeliveryOutcome(delivered, dead, "the sink is down");
            }
        }

        return new DeliveryOutcome(delivered, dead, null);
    }
}

internal enum DeliveryAnswer
{
    Delivered,
    Refused,
    Down,
}
