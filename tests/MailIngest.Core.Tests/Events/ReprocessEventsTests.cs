using System.Globalization;
using System.Text;
using MailIngest.Archive;
using MailIngest.Core.Tests.Fakes;
using MailIngest.Decoding;
using MailIngest.Events;
using MailIngest.Ingestion;
using MailIngest.Ledger;
using MailIngest.Reprocessing;

namespace MailIngest.Core.Tests.Events;

/// <summary>
/// The <c>mailingest.message.reprocessed</c> event (docs/events.md): queued in the mailbox's outbox by each change a
/// reprocess completes, durably, and delivered by the mailbox's next run.
/// </summary>
public sealed class ReprocessEventsTests : IDisposable
{
    private const string Mailbox = RunHarness.Mailbox;

    private readonly RunHarness _harness = new();
    private readonly ScriptedEvents _events;

    public ReprocessEventsTests() => _events = _harness.UseEvents();

    public void Dispose() => _harness.Dispose();

    private async Task<ReprocessResult> ReprocessOkAsync(bool quarantine, DecoderLimits limits, bool dryRun = false)
    {
        var result = await _harness.Reprocessor(limits)
            .ReprocessAsync(Mailbox, new ReprocessRequest { Quarantine = quarantine, DryRun = dryRun }, CancellationToken.None);
        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        return result;
    }

    private List<MessageEventFacts> Reprocessed() => [.. _events.Queued.Where(f => f.Type == MessageEventType.Reprocessed)];

    [Fact]
    public async Task Reprocess_RestoredMessage_QueuesAReprocessedEventDurablyThatTheNextRunDelivers()
    {
        _harness.Server.Deliver("u1", ScriptedServer.Message(1));
        await _harness.RunOkAsync();
        var manifest = Assert.Single(_harness.Manifests());
        var key = manifest["key"]!.GetValue<string>();
        var folder = _harness.Archive.Paths.Single(p => p.EndsWith($"{key}/manifest.json", StringComparison.Ordinal))[..^"/manifest.json".Length];
        await _harness.Archive.DeleteAsync($"{folder}/{manifest["bodies"]![0]!["path"]!.GetValue<string>()}", CancellationToken.None);
        _harness.Time.Advance(TimeSpan.FromMinutes(5));
        _harness.Archive.Events.Clear();

        var result = await ReprocessOkAsync(quarantine: false, new DecoderLimits());

        Assert.Equal(1, result.Restored);
        var facts = Assert.Single(Reprocessed());
        Assert.Equal((key, "u1", "restored"), (facts.Key, facts.Uidl, facts.Change));
        Assert.Equal($"{key}-reprocessed-20261130T120500000Z", facts.Id);
        Assert.Equal(($"{folder}/manifest.json", $"{folder}/message.eml"), (facts.Record, facts.Raw));
        Assert.Equal(_harness.Time.GetUtcNow(), facts.Time);
        Assert.Equal([$"append {LedgerStore.JournalPath(Mailbox, 0)}", "persist"], _harness.Archive.Events.TakeLast(2));
        var pending = Assert.Single((await _harness.LedgerAsync()).PendingEvents());
        Assert.Equal((facts.Id, MessageEventType.Reprocessed), (pending.Id, pending.Type));

        _harness.Restart();
        await _harness.RunOkAsync();

        Assert.Contains(facts.Id, _events.Sent);
        Assert.Empty((await _harness.LedgerAsync()).PendingEvents());
    }

    [Fact]
    public async Task Reprocess_TwoMessagesDrainedFromQuarantine_RecordsEntriesAndEventsThroughOneLedger()
    {
        _harness.Server.Deliver("u8", ScriptedServer.Nested(8, 40));
        _harness.Server.Deliver("u9", ScriptedServer.Nested(9, 40));
        await _harness.RunOkAsync();
        Assert.Equal(2, _harness.QuarantineRecords().Count);

        var result = await ReprocessOkAsync(quarantine: true, new DecoderLimits { MaxDepth = 64 });

        // A second ledger instance for the events would have made the drain's next journal append fail its condition.
        Assert.Equal(2, result.FromQuarantine);
        Assert.Equal(["fromQuarantine", "fromQuarantine"], Reprocessed().Select(f => f.Change));
        var ledger = await _harness.LedgerAsync();
        Assert.Equal((EntryState.Stored, EntryState.Stored), (ledger.Find("u8")!.State, ledger.Find("u9")!.State));
        Assert.Equal(Reprocessed().Select(f => f.Id).Order(), ledger.PendingEvents().Select(e => e.Id).Order());
    }

    [Fact]
    public async Task Reprocess_DryRun_QueuesNothing()
    {
        _harness.Server.Deliver("u9", ScriptedServer.Nested(9, 40));
        await _harness.RunOkAsync();

        await ReprocessOkAsync(quarantine: true, new DecoderLimits { MaxDepth = 64 }, dryRun: true);

        Assert.Empty(Reprocessed());
        Assert.Empty((await _harness.LedgerAsync()).PendingEvents());
    }
}
