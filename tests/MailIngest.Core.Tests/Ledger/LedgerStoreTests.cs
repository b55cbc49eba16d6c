using System.Text;
using MailIngest.Archive;
using MailIngest.Core.Tests.Fakes;
using MailIngest.Events;
using MailIngest.Ledger;

namespace MailIngest.Core.Tests.Ledger;

public sealed class LedgerStoreTests : IDisposable
{
    private const string Mailbox = "support";

    private readonly InMemoryArchive _archive = new();
    private readonly LedgerStore _store;

    public LedgerStoreTests() => _store = new LedgerStore(_archive);

    public void Dispose() => _archive.Dispose();

    private Task<string> WriteSnapshotAsync(string json) => _archive.WriteLedgerSnapshotAsync(Mailbox, json);

    private static LedgerEntry Stored(string id) => new(id, EntryState.Stored) { Size = 100, Sha256 = new string('a', 64) };

    [Fact]
    public async Task LoadAsync_NeverWritten_IsEmptyAndDoesNotExist()
    {
        var ledger = await _store.LoadAsync(Mailbox, default);

        Assert.Equal(0, ledger.Count);
        Assert.False(ledger.Position.Exists);
    }

    [Fact]
    public async Task AppendAsync_ThenLoad_ReplaysTheJournalOverTheSnapshot()
    {
        var ledger = await _store.LoadAsync(Mailbox, default);
        ledger.Put(Stored("a"));
        ledger.Put(Stored("b"));
        await _store.MakeDurableAsync(ledger, default);
        ledger.Remove(["a"]);
        ledger.Put(new LedgerEntry("c", EntryState.Seen));
        await _store.AppendAsync(ledger, includeKept: false, default);

        var loaded = await _store.LoadAsync(Mailbox, default);

        Assert.Equal(["b", "c"], loaded.Entries().Select(e => e.Id).Order());
        Assert.Equal(EntryState.Seen, loaded.Find("c")!.State);
        Assert.Equal(2, _archive.Content(LedgerStore.JournalPath(Mailbox, 0))!.Count(b => b == '\n'));
    }

    [Fact]
    public async Task AppendAsync_WithoutKept_LeavesStoredEntriesWaitingForABarrier()
    {
        var ledger = await _store.LoadAsync(Mailbox, default);
        ledger.Put(Stored("a"));
        ledger.Put(new LedgerEntry("s", EntryState.Seen));

        await _store.AppendAsync(ledger, includeKept: false, default);

        Assert.Null((await _store.LoadAsync(Mailbox, default)).Find("a"));
        Assert.DoesNotContain("persist", _archive.Events);
        await _store.MakeDurableAsync(ledger, default);
        Assert.NotNull((await _store.LoadAsync(Mailbox, default)).Find("a"));
        var journal = $"append {LedgerStore.JournalPath(Mailbox, 0)}";
        Assert.Equal([journal, "persist", journal, "persist"], _archive.Events);
    }

    [Fact]
    public async Task LoadAsync_InFlightNeverLanded_IsReportedAsDiedInFlight()
    {
        var ledger = await _store.LoadAsync(Mailbox, default);
        ledger.TakeOff(["a", "b"]);
        await _store.AppendAsync(ledger, includeKept: false, default);
        ledger.Land(["a"]);
        await _store.AppendAsync(ledger, includeKept: false, default);

        var loaded = await _store.LoadAsync(Mailbox, default);

        Assert.Equal(["b"], loaded.DiedInFlight);
    }

    [Fact]
    public async Task LoadAsync_LandedAndTakenOffAgainInOneLine_IsInFlight()
    {
        var ledger = await _store.LoadAsync(Mailbox, default);
        ledger.TakeOff(["a"]);
        await _store.AppendAsync(ledger, includeKept: false, default);

        // The next run counts the death, lands the old flight and retries the message: one line holds both.
        var next = await _store.LoadAsync(Mailbox, default);
        next.Land(next.TakeDiedInFlight());
        next.TakeOff(["a"]);
        await _store.AppendAsync(next, includeKept: false, default);

        Assert.Equal(["a"], (await _store.LoadAsync(Mailbox, default)).DiedInFlight);
    }

    [Fact]
    public async Task LoadAsync_JournalEndsInAHalfWrittenLine_IgnoresItAndFoldsTheJournalBeforeTheNextAppend()
    {
        var ledger = await _store.LoadAsync(Mailbox, default);
        ledger.Put(Stored("a"));
        await _store.MakeDurableAsync(ledger, default);
        var journal = LedgerStore.JournalPath(Mailbox, 0);
        await _archive.AppendAsync(journal, Encoding.UTF8.GetBytes("{\"put\":[{\"id\":\"b\""), _archive.Content(journal)!.Length, default);

        var loaded = await _store.LoadAsync(Mailbox, default);
        Assert.Equal(["a"], loaded.Entries().Select(e => e.Id));
        Assert.True(loaded.Position.NeedsCompaction);
        loaded.Put(new LedgerEntry("c", EntryState.Seen));
        await _store.AppendAsync(loaded, includeKept: false, default);

        var again = await _store.LoadAsync(Mailbox, default);
        Assert.Equal(["a", "c"], again.Entries().Select(e => e.Id).Order());
        Assert.Null(_archive.Content(journal));
        Assert.Equal(1, again.Position.Journal);
    }

    [Fact]
    public async Task LoadAsync_SnapshotUnchangedSinceTheLastLoad_IsNotParsedAgain()
    {
        await WriteSnapshotAsync("""{"schemaVersion":2,"mailbox":"support","journal":0,"messages":[{"id":"a","size":1}]}""");
        var first = await _store.LoadAsync(Mailbox, default);

        var second = await _store.LoadAsync(Mailbox, default);

        Assert.Same(first.Find("a"), second.Find("a"));
    }

    [Fact]
    public async Task LoadAsync_SnapshotFoldedByAnotherWorkerSinceTheLastLoad_ReadsTheNewOne()
    {
        await WriteSnapshotAsync("""{"schemaVersion":2,"mailbox":"support","journal":0,"messages":[{"id":"a","size":1}]}""");
        await _store.LoadAsync(Mailbox, default);
        await WriteSnapshotAsync("""{"schemaVersion":2,"mailbox":"support","journal":1,"messages":[{"id":"a","size":1},{"id":"b","size":2}]}""");

        var loaded = await _store.LoadAsync(Mailbox, default);

        Assert.Equal(["a", "b"], loaded.Entries().Select(e => e.Id).Order());
        Assert.Equal(1, loaded.Position.Journal);
    }

    [Fact]
    public async Task LoadAsync_VersionOneLedger_HoldsItsUidlsAsSeenNeverAsStored()
    {
        await WriteSnapshotAsync(
            """{"schemaVersion":1,"mailbox":"support","highWaterMark":"b","uidls":["a","b"],"totals":{"messagesStored":2,"bytesStored":10,"quarantined":0,"deleted":0},"lastRun":null}""");

        var ledger = await _store.LoadAsync(Mailbox, default);

        Assert.All(ledger.Entries(), e => Assert.Equal(EntryState.Seen, e.State));
        Assert.Equal(2, ledger.Totals.MessagesStored);
        Assert.True(ledger.Position.NeedsCompaction);
    }

    [Fact]
    public async Task AppendAsync_EntryFields_AreWrittenByTheirDocumentedNamesWithDefaultsLeftOutAndReadBack()
    {
        var failed = new LedgerEntry("a", EntryState.Failed)
        {
            Size = 5, Sha256 = "ff", Key = "k", Attempts = 3, Error = "\"bad\" é", Deleting = true, MessageId = "m@x", RawPath = "p/message.eml",
        };
        var seen = new LedgerEntry("b", EntryState.Seen);
        var ledger = await _store.LoadAsync(Mailbox, default);
        ledger.Put(failed);
        ledger.Put(seen);

        await _store.AppendAsync(ledger, includeKept: false, default);

        var line = Encoding.UTF8.GetString(_archive.Content(LedgerStore.JournalPath(Mailbox, 0))!);
        Assert.Contains(
            """{"id":"a","state":"failed","size":5,"sha256":"ff","key":"k","attempts":3,"error":"\"bad\" é","deleting":true,"messageId":"m@x","rawPath":"p/message.eml"}""",
            line,
            StringComparison.Ordinal);
        Assert.Contains("""{"id":"b","state":"seen"}""", line, StringComparison.Ordinal);
        var loaded = await _store.LoadAsync(Mailbox, default);
        Assert.Equal(failed, loaded.Find("a"));
        Assert.Equal(seen, loaded.Find("b"));
    }

    [Fact]
    public async Task LoadAsync_EntryWithoutStateOrWithFieldsOfALaterVersion_IsStoredAndKeepsWhatItKnows()
    {
        await WriteSnapshotAsync(
            """{"schemaVersion":2,"mailbox":"support","journal":0,"messages":[{"id":"a","later":{"x":[1,{"y":null}]},"size":7,"sha256":"ab"}]}""");

        var ledger = await _store.LoadAsync(Mailbox, default);

        Assert.Equal(new LedgerEntry("a", EntryState.Stored) { Size = 7, Sha256 = "ab" }, ledger.Find("a"));
    }

    [Fact]
    public async Task LoadAsync_EntryWithoutId_FailsNamingTheFileAndTheWayOut()
    {
        await WriteSnapshotAsync("""{"schemaVersion":2,"mailbox":"support","journal":0,"messages":[{"state":"seen"}]}""");

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => _store.LoadAsync(Mailbox, default));

        Assert.Contains("state/support.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("no id", e.Message, StringComparison.Ordinal);
        Assert.Contains("docs/recovery.md", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_JournalLineNotJson_FailsNamingTheFileAndTheWayOut()
    {
        await _archive.AppendAsync(LedgerStore.JournalPath(Mailbox, 0), Encoding.UTF8.GetBytes("not json\n"), 0, default);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => _store.LoadAsync(Mailbox, default));

        Assert.Contains("state/support.journal-0.jsonl", e.Message, StringComparison.Ordinal);
        Assert.Contains("docs/recovery.md", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_AnotherWriterAppendedMeanwhile_ConflictsAndKeepsTheChangesForLater()
    {
        var mine = await _store.LoadAsync(Mailbox, default);
        var theirs = await _store.LoadAsync(Mailbox, default);
        theirs.Put(new LedgerEntry("x", EntryState.Seen));
        await _store.AppendAsync(theirs, includeKept: false, default);

        mine.Put(new LedgerEntry("y", EntryState.Seen));
        await Assert.ThrowsAsync<ArchiveConflictException>(() => _store.AppendAsync(mine, includeKept: false, default));

        Assert.True(mine.HasChanges);
    }

    [Fact]
    public async Task FirstImport_LedgerBytesWrittenGrowLinearlyWithTheMessages()
    {
        // A first import flushed every 25 messages, as a run does it: one short journal line per flush, and the snapshot
        // rewritten only when the journal has outgrown it. Rewriting the whole ledger at every flush would write about
        // 20,000 / 25 / 2 = 400 times the ledger's final size.
        var ledger = await _store.LoadAsync(Mailbox, default);
        for (var n = 0; n < 20_000; n++)
        {
            ledger.Put(Stored($"uidl-{n:D8}"));
            if (n % 25 == 24)
            {
                await _store.MakeDurableAsync(ledger, default);
                await _store.CompactIfDueAsync(ledger, default);
            }
        }

        var written = _archive.BytesWritten.Where(w => w.Key.StartsWith("state/", StringComparison.Ordinal)).Sum(w => w.Value);
        var finalSize = ledger.Position.SnapshotBytes + ledger.Position.JournalBytes;
        Assert.True(written < 6 * finalSize, $"{written} bytes written for a ledger of {finalSize}");
    }

    [Fact]
    public async Task Outbox_QueuedDeliveredAndDead_ReplayFromTheJournalAndSurviveCompaction()
    {
        var at = DateTimeOffset.Parse("2026-11-30T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var ledger = await _store.LoadAsync(Mailbox, default);
        ledger.Put(Stored("a"), new PendingEvent("ka", MessageEventType.Stored, at, """{"id":"ka"}"""));
        ledger.Put(Stored("b"), new PendingEvent("kb", MessageEventType.Stored, at.AddSeconds(1), """{"id":"kb"}"""));
        ledger.Put(Stored("c"), new PendingEvent("kc-quarantined", MessageEventType.Quarantined, at.AddSeconds(2), """{"id":"kc-quarantined","data":{"subject":"Grüße"}}"""));
        await _store.MakeDurableAsync(ledger, default);
        ledger.Delivered(["ka"]);
        ledger.DeadLettered([new DeadLetter("kb", MessageEventType.Stored, at.AddSeconds(1), at.AddSeconds(5), "404 Not Found", """{"id":"kb"}""")]);
        await _store.AppendAsync(ledger, includeKept: false, default);

        var replayed = await _store.LoadAsync(Mailbox, default);
        for (var n = 0; n < 3_000; n++)
        {
            // Enough lines for the journal to outgrow 64 KiB, so that it is folded into a snapshot.
            ledger.Put(new LedgerEntry($"seen-{n:D6}", EntryState.Seen));
            await _store.AppendAsync(ledger, includeKept: false, default);
        }

        await _store.CompactIfDueAsync(ledger, default);
        var compacted = await _store.LoadAsync(Mailbox, default);

        Assert.Equal(1, compacted.Position.Journal);
        foreach (var loaded in new[] { replayed, compacted })
        {
            Assert.Equal(["kc-quarantined"], loaded.PendingEvents().Select(e => e.Id));
            Assert.Equal(MessageEventType.Quarantined, loaded.PendingEvents()[0].Type);
            Assert.Equal(at.AddSeconds(2), loaded.PendingEvents()[0].QueuedAt);
            Assert.Equal("""{"id":"kc-quarantined","data":{"subject":"Grüße"}}""", loaded.PendingEvents()[0].Body);
            Assert.Equal(("404 Not Found", """{"id":"kb"}"""), (Assert.Single(loaded.DeadLetters()).Reason, loaded.DeadLetters()[0].Body));
        }
    }

    [Fact]
    public async Task Outbox_QueuedEvent_WaitsForTheBarrierWithItsEntry()
    {
        var ledger = await _store.LoadAsync(Mailbox, default);
        ledger.Put(new LedgerEntry("big", EntryState.Skipped), new PendingEvent("kbig-quarantined", MessageEventType.Quarantined, DateTimeOffset.UnixEpoch, "{}"));

        await _store.AppendAsync(ledger, includeKept: false, default);

        var before = await _store.LoadAsync(Mailbox, default);
        Assert.Null(before.Find("big"));
        Assert.Empty(before.PendingEvents());
        // A delivery during the run sends only what is recorded.
        Assert.Empty(ledger.RecordedEvents());
        await _store.MakeDurableAsync(ledger, default);
        Assert.Equal("kbig-quarantined", Assert.Single(ledger.RecordedEvents()).Id);
        var loaded = await _store.LoadAsync(Mailbox, default);
        Assert.Equal(EntryState.Skipped, loaded.Find("big")!.State);
        Assert.Single(loaded.PendingEvents());
        Assert.Equal("persist", _archive.Events.SkipWhile(e => e != "persist").First());
    }

    [Fact]
    public async Task SourceState_WaitsForKeptEntriesAndIsForgottenByAnEmptyLine()
    {
        var ledger = await _store.LoadAsync(Mailbox, default);
        ledger.Put(Stored("a"));
        ledger.SetSourceState("state-1");

        // The state says the ledger knows every listed message: it is not written ahead of a kept entry still waiting.
        await _store.AppendAsync(ledger, includeKept: false, default);
        Assert.Null((await _store.LoadAsync(Mailbox, default)).SourceState);
        await _store.MakeDurableAsync(ledger, default);
        Assert.Equal("state-1", (await _store.LoadAsync(Mailbox, default)).SourceState);

        ledger.SetSourceState(null);
        await _store.AppendAsync(ledger, includeKept: false, default);
        Assert.Null((await _store.LoadAsync(Mailbox, default)).SourceState);
    }

    [Fact]
    public async Task SetAside_IsOneLineWithTheRemovalSurvivesCompactionAndItsEndWaitsForKeptEntries()
    {
        var ledger = await _store.LoadAsync(Mailbox, default);
        ledger.Put(Stored("old"));
        ledger.Put(new LedgerEntry("adopted", EntryState.Seen));
        await _store.MakeDurableAsync(ledger, default);
        var journal = LedgerStore.JournalPath(Mailbox, 0);
        var lines = _archive.Content(journal)!.Count(b => b == '\n');

        Assert.Equal(1, ledger.SetAside(_ => false));
        await _store.AppendAsync(ledger, includeKept: false, default);

        Assert.Equal(lines + 1, _archive.Content(journal)!.Count(b => b == '\n'));
        var loaded = await _store.LoadAsync(Mailbox, default);
        Assert.Equal(0, loaded.Count);
        Assert.Equal("old", loaded.FindRenumbered(new string('a', 64))!.Id);

        // Folded into a snapshot (a torn last line forces it), the set-aside entries stay.
        await _archive.AppendAsync(journal, Encoding.UTF8.GetBytes("{\"put\""), _archive.Content(journal)!.Length, default);
        loaded = await _store.LoadAsync(Mailbox, default);
        loaded.Put(new LedgerEntry("seen", EntryState.Seen));
        await _store.AppendAsync(loaded, includeKept: false, default);
        Assert.Null(_archive.Content(journal));
        Assert.Single((await _store.LoadAsync(Mailbox, default)).Renumbered);

        loaded.Put(Stored("new") with { Key = "messages/support/old" });
        loaded.EndRenumbered();
        await _store.AppendAsync(loaded, includeKept: false, default);
        Assert.Single((await _store.LoadAsync(Mailbox, default)).Renumbered);

        // Forgotten only together with the entry recorded in their place.
        await _store.MakeDurableAsync(loaded, default);
        var done = await _store.LoadAsync(Mailbox, default);
        Assert.Empty(done.Renumbered);
        Assert.NotNull(done.Find("new"));
    }
}
