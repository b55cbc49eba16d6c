using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using MailIngest.Archive;
using MailIngest.Core.Tests.Fakes;
using MailIngest.Events;
using MailIngest.Ingestion;
using MailIngest.Ledger;

namespace MailIngest.Core.Tests.Events;

/// <summary>The run's side of events (docs/events.md): queued with the message's entry, delivered after QUIT, never failing a run.</summary>
public sealed class RunEventsTests : IDisposable
{
    private readonly RunHarness _harness = new();
    private readonly ScriptedEvents _events;

    public RunEventsTests() => _events = _harness.UseEvents();

    public void Dispose() => _harness.Dispose();

    private IReadOnlyList<JsonObject> JournalLines(bool durable = false) =>
        [.. Encoding.UTF8.GetString(
                (durable ? _harness.Archive.DurableContent(LedgerStore.JournalPath(RunHarness.Mailbox, 0)) : _harness.Archive.Content(LedgerStore.JournalPath(RunHarness.Mailbox, 0))) ?? [])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject())];

    [Fact]
    public async Task Run_NewMessages_QueuesAnEventPerMessageAndDeliversEachOnceItsLineIsDurable()
    {
        _harness.DeliverMessages(60);
        _harness.Options.DeleteAfterIngest = true;
        _harness.Options.LedgerFlushEvery = 10;
        var sentBeforeTheirLineWasDurable = new ConcurrentQueue<string>();
        _events.Delivering = e =>
        {
            if (!JournalLines(durable: true).Any(l => l["queued"]?.AsArray().Any(q => q!["id"]!.GetValue<string>() == e.Id) == true))
            {
                sentBeforeTheirLineWasDurable.Enqueue(e.Id);
            }
        };

        var result = await _harness.RunOkAsync();

        var keys = _harness.Manifests().Select(m => m["key"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(keys, _events.Queued.Select(f => f.Id).Order());
        Assert.Equal(keys, _events.Sent.Order());
        Assert.All(_events.Queued, f =>
        {
            Assert.Equal(MessageEventType.Stored, f.Type);
            Assert.EndsWith("/manifest.json", f.Record, StringComparison.Ordinal);
            Assert.EndsWith("/message.eml", f.Raw, StringComparison.Ordinal);
            Assert.NotEmpty(f.From);
        });
        Assert.Empty(sentBeforeTheirLineWasDurable);
        Assert.Equal(new EventDeliveryReport(60, 0, 0, null, 0, null), result.Events);
        Assert.Empty((await _harness.LedgerAsync()).PendingEvents());
        Assert.EndsWith("events delivered 60, pending 0", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NewMessage_WritesItsEventInTheLineOfItsEntryAfterABarrier()
    {
        _harness.DeliverMessages(1);

        await _harness.RunOkAsync();

        // A stored entry, and an event about a stored message, are the defaults: their line names no state and no type.
        var lines = JournalLines();
        var number = lines.ToList().FindIndex(l => l["put"]?.AsArray().Any(e => e!["id"]!.GetValue<string>() == "u1" && e["state"] is null) == true);
        var queued = Assert.Single(lines[number]["queued"]!.AsArray());
        Assert.Equal(_events.Queued.Single().Id, queued!["id"]!.GetValue<string>());
        Assert.Null(queued["type"]);
        Assert.Equal($$"""{"id":"{{_events.Queued.Single().Id}}"}""", queued["body"]!.GetValue<string>());
        var events = _harness.Archive.Events.ToList();
        var manifestWrite = events.FindIndex(e => e.StartsWith("write messages/", StringComparison.Ordinal) && e.EndsWith("/manifest.json", StringComparison.Ordinal));
        var appendOfTheLine = events.Select((e, i) => (e, i)).Where(x => x.e.StartsWith("append state/", StringComparison.Ordinal)).ElementAt(number).i;
        Assert.Contains("persist", events[manifestWrite..appendOfTheLine]);
    }

    [Fact]
    public async Task Run_SinkDown_SucceedsDeletesTheMailAndKeepsTheEventsForTheNextRun()
    {
        _harness.DeliverMessages(2);
        _harness.Options.DeleteAfterIngest = true;
        _events.Answer = _ => DeliveryAnswer.Down;

        var down = await _harness.RunOkAsync();

        Assert.Equal(2, down.Deleted);
        Assert.Empty(_harness.Server.Ids);
        Assert.Equal(2, down.Events!.Pending);
        Assert.Equal("the sink is down", down.Events.Error);
        Assert.Equal(2, (await _harness.LedgerAsync()).PendingEvents().Count);
        Assert.DoesNotContain(_harness.Archive.Paths, p => p.StartsWith("outbox/", StringComparison.Ordinal));

        _events.Answer = _ => DeliveryAnswer.Delivered;
        _harness.Restart();
        var next = await _harness.RunOkAsync();

        Assert.Equal(2, next.Events!.Delivered);
        Assert.Empty((await _harness.LedgerAsync()).PendingEvents());
        Assert.Equal(_events.Queued.Select(f => f.Id).Order(), _events.Sent.Order());
    }

    [Fact]
    public async Task Run_SinkRefuses_KeepsDeadLettersThatResendDelivers()
    {
        _harness.DeliverMessages(2);
        _events.Answer = _ => DeliveryAnswer.Refused;

        var refused = await _harness.RunOkAsync();

        Assert.Equal(2, refused.Events!.DeadLettered);
        var ledger = await _harness.LedgerAsync();
        Assert.Empty(ledger.PendingEvents());
        Assert.Equal(2, ledger.DeadLetters().Count);
        Assert.All(ledger.DeadLetters(), d => Assert.Equal("410 Gone", d.Reason));

        _events.Answer = _ => DeliveryAnswer.Delivered;
        var resent = await _harness.Outbox().ResendAsync(RunHarness.Mailbox, [], CancellationToken.None);

        Assert.Null(resent.Error);
        Assert.Equal(2, resent.Requeued.Count);
        Assert.Equal(2, resent.Delivery!.Delivered);
        ledger = await _harness.LedgerAsync();
        Assert.Empty(ledger.DeadLetters());
        Assert.Empty(ledger.PendingEvents());
    }

    [Fact]
    public async Task Resend_UnknownId_RefusesAndChangesNothing()
    {
        _harness.DeliverMessages(1);
        _events.Answer = _ => DeliveryAnswer.Refused;
        await _harness.RunOkAsync();

        var resent = await _harness.Outbox().ResendAsync(RunHarness.Mailbox, ["nope"], CancellationToken.None);

        Assert.Contains("nope", resent.Error, StringComparison.Ordinal);
        Assert.Single((await _harness.LedgerAsync()).DeadLetters());
    }

    [Fact]
    public async Task Run_TooLargeMessage_QueuesAQuarantinedEventWithItsRecord()
    {
        _harness.Server.Deliver("big", ScriptedServer.Message(1, paddingBytes: 10_000));
        _harness.Options.MaxMessageSize = 1_000;

        await _harness.RunOkAsync();

        var facts = Assert.Single(_events.Queued);
        Assert.Equal(MessageEventType.Quarantined, facts.Type);
        Assert.Equal("tooLarge", facts.Reason);
        Assert.Null(facts.Raw);
        Assert.EndsWith("-quarantined", facts.Id, StringComparison.Ordinal);
        Assert.Equal($"quarantine/{RunHarness.Mailbox}/{ArchiveLayout.MessageKey(RunHarness.Mailbox, "big")}/error.json", facts.Record);
        var line = Assert.Single(JournalLines(), l => l["queued"] is not null);
        Assert.Equal("skipped", line["put"]!.AsArray().Single()!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_KilledAfterStoringBeforeItsEntry_RerunQueuesTheEventAgainUnderTheSameId()
    {
        _harness.DeliverMessages(2);
        _harness.OnStep = (step, id) =>
        {
            if (step == IngestStep.ManifestStored && id == "u2")
            {
                throw new InvalidOperationException("killed");
            }
        };
        await _harness.RunAsync();
        _harness.OnStep = (_, _) => { };
        _harness.Restart();

        await _harness.RunOkAsync();

        var key = ArchiveLayout.MessageKey(RunHarness.Mailbox, "u2");
        Assert.Contains(key, _events.Sent);
        Assert.Empty((await _harness.LedgerAsync()).PendingEvents());
    }

    [Fact]
    public async Task Run_NothingNew_QueuesNothingAndDeliversWhatAnEarlierRunLeft()
    {
        _harness.DeliverMessages(1);
        _events.Answer = _ => DeliveryAnswer.Down;
        await _harness.RunOkAsync();
        _events.Answer = _ => DeliveryAnswer.Delivered;

        var result = await _harness.RunOkAsync();

        Assert.Equal(0, result.New);
        Assert.Single(_events.Queued);
        Assert.Equal(1, result.Events!.Delivered);
    }

    [Fact]
    public async Task Run_VerifyingADeletedMessageAgain_QueuesNoSecondEvent()
    {
        _harness.DeliverMessages(2);
        _harness.Options.DeleteAfterIngest = true;
        _harness.Server.AcknowledgeQuit = false;
        // Each reconnect finds the messages still listed as being deleted, and fetches them again to compare.
        var unacknowledged = await _harness.RunAsync();
        Assert.True(unacknowledged.Stored > 2, unacknowledged.Summary);
        _harness.Server.AcknowledgeQuit = true;
        _harness.Restart();

        await _harness.RunOkAsync();

        Assert.Equal(2, _events.Queued.Count);
        Assert.Empty(_harness.Server.Ids);
    }
}
