using MailIngest.Archive;
using MailIngest.Configuration;
using MailIngest.Core.Tests.Fakes;
using MailIngest.Ingestion;
using MailIngest.Ledger;
using MailIngest.Sources;

namespace MailIngest.Core.Tests.Ingestion;

/// <summary>The run itself, step by step, over a scripted server: what it stores, records, deletes and leaves alone.</summary>
public sealed class MailboxRunTests : IDisposable
{
    private readonly RunHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Run_NewMailbox_StoresEveryMessageAndRecordsEachAsStoredWithSizeAndHash()
    {
        _harness.DeliverMessages(5);

        var result = await _harness.RunOkAsync();

        Assert.Equal(5, result.Stored);
        Assert.Equal(5, _harness.Manifests().Count);
        var ledger = await _harness.LedgerAsync();
        Assert.All(ledger.Entries(), e =>
        {
            Assert.Equal(EntryState.Stored, e.State);
            Assert.NotNull(e.Size);
            Assert.Equal(64, e.Sha256!.Length);
        });
        Assert.Equal("u5", ledger.HighWaterMark);
    }

    [Fact]
    public async Task Run_NothingNew_ListsAndNothingElse()
    {
        _harness.DeliverMessages(3);
        await _harness.RunOkAsync();
        _harness.Server.Commands.Clear();

        var result = await _harness.RunOkAsync();

        Assert.Equal(0, result.New);
        Assert.Equal(["UIDL", "QUIT"], _harness.Server.Commands);
    }

    [Fact]
    public async Task Adopt_ThenDeleteModeRun_DeletesNothingAdoptedAndStoresWhatCameAfter()
    {
        _harness.DeliverMessages(20);
        var adopted = await _harness.AdoptAsync();
        Assert.Equal(20, adopted.Adopted);
        _harness.DeliverMessages(2, first: 21);
        _harness.Options.DeleteAfterIngest = true;

        var result = await _harness.RunOkAsync();

        Assert.Equal(2, result.Stored);
        Assert.Equal(2, result.Deleted);
        Assert.Equal(20, _harness.Server.Ids.Count);
        Assert.DoesNotContain(_harness.Server.Commands, c => c.StartsWith("DELE u1 ", StringComparison.Ordinal) || c == "DELE u1");
        Assert.Equal(20, (await _harness.LedgerAsync()).Entries().Count(e => e.State == EntryState.Seen));
    }

    [Fact]
    public async Task Plan_AfterAdopt_PlansNoDeletion()
    {
        _harness.DeliverMessages(4);
        await _harness.AdoptAsync();
        _harness.Options.DeleteAfterIngest = true;

        var plan = await _harness.PlanAsync();

        Assert.Equal(0, plan.Delete);
        Assert.Equal(0, plan.Fetch);
    }

    [Fact]
    public async Task Run_DeleteMode_ForgetsTheDeletedIdsSoAReusedIdIsStoredAsANewMessage()
    {
        _harness.Options.DeleteAfterIngest = true;
        _harness.DeliverMessages(2);
        await _harness.RunOkAsync();
        Assert.Empty(_harness.Server.Ids);
        Assert.Equal(0, (await _harness.LedgerAsync()).Count);

        // The server reuses u1 for a new message (RFC 1939 allows it once the first is gone).
        _harness.Server.Deliver("u1", ScriptedServer.Message(99));
        var result = await _harness.RunOkAsync();

        Assert.Equal(1, result.Stored);
        Assert.Equal(1, result.Deleted);
        var copies = _harness.Manifests().Where(m => RunHarness.Uidl(m) == "u1").ToList();
        Assert.Equal(2, copies.Count);
        Assert.Equal(2, copies.Select(m => m["key"]!.GetValue<string>()).Distinct().Count());
        Assert.Contains(copies, m => m["subject"]!.GetValue<string>() == "Message 99");
    }

    [Fact]
    public async Task Run_QuitNotAcknowledged_FetchesTheStillListedMessagesAgainBeforeDeletingThem()
    {
        _harness.Options.DeleteAfterIngest = true;
        _harness.Options.RetryAttempts = 0;
        _harness.DeliverMessages(2);
        _harness.Server.AcknowledgeQuit = false;
        var failed = await _harness.RunAsync();
        Assert.Equal(MailboxRunStatus.Failed, failed.Status);
        Assert.All((await _harness.LedgerAsync()).Entries(), e => Assert.True(e.Deleting));

        // The deletions never happened, and meanwhile the server replaced u2 by another message under the same ID.
        _harness.Server.AcknowledgeQuit = true;
        _harness.Restart();
        _harness.Server.Commands.Clear();
        var result = await _harness.RunOkAsync();

        Assert.Contains("RETR u1", _harness.Server.Commands);
        Assert.Contains("RETR u2", _harness.Server.Commands);
        Assert.Equal(2, result.Deleted);
        Assert.Equal(2, _harness.Manifests().Count);
        Assert.Empty(_harness.Server.Ids);
    }

    [Fact]
    public async Task Run_KnownIdListedWithAnotherSize_FetchesItAndStoresTheNewMessageUnderItsOwnKey()
    {
        _harness.DeliverMessages(2);
        await _harness.RunOkAsync();
        _harness.DeliverMessages(1, first: 3);
        _harness.Server.ListedSizes["u1"] = 12345;

        var result = await _harness.RunOkAsync();

        Assert.Equal(2, result.Stored);
        Assert.Equal(3, _harness.Manifests().Count);
        Assert.Equal(12345, (await _harness.LedgerAsync()).Find("u1")!.Size);
    }

    [Fact]
    public async Task Run_MessageOverMaxMessageSize_IsRecordedWithItsHeadersNeverFetchedNeverDeleted()
    {
        _harness.Options.DeleteAfterIngest = true;
        _harness.Options.MaxMessageSize = 1000;
        _harness.DeliverMessages(1);
        _harness.Server.Deliver("big", ScriptedServer.Message(2, paddingBytes: 5000));
        _harness.DeliverMessages(1, first: 3);

        var result = await _harness.RunOkAsync();

        Assert.Equal(2, result.Stored);
        Assert.Equal(1, result.Skipped);
        Assert.DoesNotContain("RETR big", _harness.Server.Commands);
        Assert.Equal(["big"], _harness.Server.Ids);
        var record = Assert.Single(_harness.QuarantineRecords());
        Assert.Equal("tooLarge", record["reason"]!.GetValue<string>());
        Assert.Contains("Subject: Message 2", record["headers"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(record["raw"]);

        _harness.Server.Commands.Clear();
        await _harness.RunOkAsync();
        Assert.Equal(["UIDL", "QUIT"], _harness.Server.Commands);
    }

    [Fact]
    public async Task Retry_SkippedMessageAfterTheLimitIsRaised_IsFetchedByTheNextRun()
    {
        _harness.Options.MaxMessageSize = 1000;
        _harness.Server.Deliver("big", ScriptedServer.Message(1, paddingBytes: 5000));
        await _harness.RunOkAsync();

        _harness.Options.MaxMessageSize = 0;
        var retried = await _harness.Runner.RetryAsync(RunHarness.Mailbox, [], CancellationToken.None);
        var result = await _harness.RunOkAsync();

        Assert.Equal(["big"], retried.Cleared);
        Assert.Empty(_harness.QuarantineRecords());
        Assert.Equal(1, result.Stored);
    }

    [Fact]
    public async Task Retry_UnknownOrStoredId_ClearsNothingAndSaysWhy()
    {
        _harness.DeliverMessages(1);
        await _harness.RunOkAsync();

        var result = await _harness.Runner.RetryAsync(RunHarness.Mailbox, ["u1", "nope"], CancellationToken.None);

        Assert.Empty(result.Cleared);
        Assert.Contains("no message with ID nope", result.Error, StringComparison.Ordinal);
        Assert.Contains("u1 is not skipped", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RetrRefusedForOneMessage_CountsAnAttemptGoesOnAndGivesUpAfterMaxAttempts()
    {
        _harness.Options.DeleteAfterIngest = true;
        _harness.DeliverMessages(3);
        _harness.Server.Refused.Add("u2");

        var first = await _harness.RunOkAsync();
        Assert.Equal(2, first.Stored);
        Assert.Equal(1, (await _harness.LedgerAsync()).Find("u2")!.Attempts);
        await _harness.RunOkAsync();
        await _harness.RunOkAsync();
        var last = await _harness.RunOkAsync();

        Assert.Equal(1, last.Unprocessable);
        var entry = (await _harness.LedgerAsync()).Find("u2")!;
        Assert.Equal(EntryState.Failed, entry.State);
        Assert.Equal(["u2"], _harness.Server.Ids);
        var record = Assert.Single(_harness.QuarantineRecords());
        Assert.Equal("unprocessable", record["reason"]!.GetValue<string>());
        Assert.Equal(3, record["attempts"]!.GetValue<int>());

        _harness.Server.Commands.Clear();
        await _harness.RunOkAsync();
        Assert.DoesNotContain("RETR u2", _harness.Server.Commands);
    }

    [Fact]
    public async Task Run_ConnectionLostDuringRetrieval_CountsNoAttempt()
    {
        _harness.Options.RetryAttempts = 0;
        _harness.DeliverMessages(3);
        _harness.Server.FailRetrieval = id => id == "u2" ? new MailServerException("connection reset", MailServerFailure.Transient) : null;

        var result = await _harness.RunAsync();

        Assert.Equal(MailboxRunStatus.Failed, result.Status);
        var ledger = await _harness.LedgerAsync();
        Assert.Empty(ledger.DiedInFlight);
        Assert.Null(ledger.Find("u2"));
        Assert.Equal(EntryState.Stored, ledger.Find("u1")!.State);
    }

    [Fact]
    public async Task Run_StoreUnavailable_FailsAndRecordsNothingAsFailedByTheMessages()
    {
        _harness.Options.RetryAttempts = 0;
        _harness.DeliverMessages(2);
        _harness.OnStep = (step, _) =>
        {
            if (step == IngestStep.Retrieving)
            {
                _harness.Archive.Unavailable = true;
            }
        };

        var result = await _harness.RunAsync();

        Assert.Equal(MailboxRunStatus.Failed, result.Status);
        Assert.Contains("the test store is down", result.Error, StringComparison.Ordinal);
        _harness.Archive.Unavailable = false;
        _harness.OnStep = (_, _) => { };
        _harness.Restart();
        var rerun = await _harness.RunOkAsync();
        Assert.Equal(2, rerun.Stored);
        Assert.Empty(_harness.QuarantineRecords());
    }

    [Fact]
    public async Task Run_RunDiedWhileHandlingMessages_NextRunCountsAnAttemptEachAndFetchesThemAlone()
    {
        _harness.DeliverMessages(4);
        await DieAtRetrievalAsync("u3");

        var result = await _harness.RunOkAsync();

        Assert.Equal(4, result.Stored);
        var retrieving = _harness.Steps.Where(s => s.Step == IngestStep.Retrieving).Select(s => s.Id).ToList();
        Assert.Equal(["u1", "u2", "u3", "u4"], retrieving);
        Assert.All((await _harness.LedgerAsync()).Entries(), e => Assert.Equal(0, e.Attempts));
        // Each suspect went alone: its in-flight record was written before its retrieval, so it cannot take the others down.
        var appendsBeforeRetrievals = _harness.Archive.Events.Count(e => e.StartsWith("append", StringComparison.Ordinal));
        Assert.True(appendsBeforeRetrievals >= 3, string.Join(", ", _harness.Archive.Events));
    }

    [Fact]
    public async Task Run_MessageTheRunKeepsDyingOn_IsGivenUpAfterMaxAttemptsAndTheOthersAreStored()
    {
        _harness.DeliverMessages(3);
        for (var death = 0; death < 3; death++)
        {
            await DieAtRetrievalAsync("u2");
        }

        var result = await _harness.RunOkAsync();

        Assert.Equal(1, result.Unprocessable);
        Assert.Equal(2, result.Stored);
        Assert.Equal(EntryState.Failed, (await _harness.LedgerAsync()).Find("u2")!.State);
        Assert.DoesNotContain(_harness.Server.Commands, c => c == "RETR u2");
    }

    [Fact]
    public async Task Run_DeleteMode_NothingIsDeletedBeforeItsEntryIsDurable()
    {
        _harness.Options.DeleteAfterIngest = true;
        _harness.DeliverMessages(3);
        string[]? durableAtDele = null;
        _harness.OnStep = (step, _) =>
        {
            if (step == IngestStep.Committing)
            {
                // What a power cut now would leave: every message about to be deleted must be stored and recorded.
                durableAtDele = [.. _harness.Archive.Events];
            }
        };

        await _harness.RunOkAsync();

        var events = durableAtDele!.ToList();
        var lastPersist = events.LastIndexOf("persist");
        var lastAppend = events.FindLastIndex(e => e.StartsWith("append state/", StringComparison.Ordinal));
        Assert.True(lastPersist > lastAppend, string.Join("\n", events));
        Assert.True(events.FindLastIndex(e => e.EndsWith("/manifest.json", StringComparison.Ordinal)) < lastAppend);
    }

    [Fact]
    public async Task Run_PowerCutAfterARun_LeavesNoEntryForAMessageWhoseObjectsWereLost()
    {
        _harness.Options.LedgerFlushEvery = 2;
        _harness.DeliverMessages(5);
        await _harness.RunOkAsync();

        _harness.Archive.PowerCut();
        var ledger = await _harness.LedgerAsync();

        Assert.All(ledger.Entries().Where(e => e.IsKept), e => Assert.Contains(
            _harness.Archive.Paths, p => p.EndsWith($"/{ArchiveLayout.MessageKey(RunHarness.Mailbox, e.Id)}/manifest.json", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Run_DuplicateIdsInOneListing_StoresBothCopiesAndDeletesThemOnlyWhenBothWereStoredHere()
    {
        _harness.Options.DeleteAfterIngest = true;
        _harness.Server.Deliver("dup", ScriptedServer.Message(1));
        _harness.DeliverMessages(1, first: 2);
        _harness.Server.Deliver("dup", ScriptedServer.Message(3));

        var plan = await _harness.PlanAsync();
        var result = await _harness.RunOkAsync();

        Assert.Equal(3, result.Stored);
        Assert.Equal(3, result.Deleted);
        Assert.Equal(plan.Delete, result.Deleted);
        Assert.Equal(2, _harness.Manifests().Count(m => RunHarness.Uidl(m) == "dup"));
    }

    [Fact]
    public async Task Plan_IsTheRunsOwnPlan()
    {
        _harness.Options.DeleteAfterIngest = true;
        _harness.Options.MaxMessagesPerRun = 3;
        _harness.Options.MaxMessageSize = 1000;
        _harness.DeliverMessages(5);
        _harness.Server.Deliver("big", ScriptedServer.Message(6, paddingBytes: 5000));

        var plan = await _harness.PlanAsync();
        var result = await _harness.RunOkAsync();

        Assert.Equal((plan.Fetch, plan.Later, plan.Delete, plan.Skip), (result.Stored, result.Remaining, result.Deleted, result.Skipped));
        Assert.Equal((3, 2, 3, 1), (plan.Fetch, plan.Later, plan.Delete, plan.Skip));
    }

    [Fact]
    public async Task Run_UidlsRenamedWithNewMailBeside_StopsWithTheGuardWhateverTheTotal()
    {
        _harness.DeliverMessages(10);
        await _harness.RunOkAsync();
        foreach (var id in _harness.Server.Ids)
        {
            _harness.Server.Remove(id);
            _harness.Server.Deliver("renamed-" + id, ScriptedServer.Message(1));
        }

        // Ten renamed and five new: fifteen on the server against a ledger of ten, well outside ±20 % of its size.
        _harness.DeliverMessages(5, first: 100);
        _harness.Server.Commands.Clear();
        var result = await _harness.RunAsync();

        Assert.Equal(MailboxRunStatus.Failed, result.Status);
        Assert.Contains("10 of the 10 IDs in the ledger are no longer listed and 15 unknown ones appeared", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_harness.Server.Commands, c => c.StartsWith("RETR", StringComparison.Ordinal));
        Assert.Equal(10, (await _harness.LedgerAsync()).Count);
    }

    [Fact]
    public async Task Run_MaxRunTime_StartsNoNewMessageAfterItButAlwaysStoresOne()
    {
        _harness.Options.MaxRunTime = TimeSpan.FromSeconds(10);
        _harness.DeliverMessages(40);
        _harness.OnStep = (step, _) =>
        {
            if (step == IngestStep.ManifestStored)
            {
                _harness.Time.Advance(TimeSpan.FromSeconds(4));
            }
        };

        var result = await _harness.RunOkAsync();

        Assert.InRange(result.Stored, 1, 39);
        Assert.Equal(40 - result.Stored, result.Remaining);
    }

    /// <summary>
    /// A run that dies (kill -9, an OOM kill) when <paramref name="id"/>'s retrieval starts: its in-flight record is
    /// written, and nothing after it. The kill tests do it for real; here the store stops taking writes at that moment.
    /// </summary>
    private async Task DieAtRetrievalAsync(string id)
    {
        _harness.Steps.Clear();
        _harness.OnStep = (step, messageId) =>
        {
            if (step == IngestStep.Retrieving && messageId == id)
            {
                _harness.Archive.Unavailable = true;
                throw new InvalidOperationException("killed");
            }
        };
        _harness.Options.RetryAttempts = 0;
        var died = await _harness.RunAsync();
        Assert.Equal(MailboxRunStatus.Failed, died.Status);
        _harness.Archive.Unavailable = false;
        _harness.OnStep = (_, _) => { };
        _harness.Steps.Clear();
        _harness.Restart();
    }

    [Fact]
    public async Task Run_LedgerKnowsEveryListedMessage_RemembersTheSourceStateForTheNextListing()
    {
        _harness.DeliverMessages(3);
        _harness.Server.SourceState = "state-1";

        await _harness.RunOkAsync();
        _harness.Restart();
        await _harness.RunOkAsync();

        Assert.Equal("state-1", (await _harness.LedgerAsync()).SourceState);
        Assert.Equal("state-1", _harness.Server.LastRequest!.SourceState);
        Assert.Equal(["u1", "u2", "u3"], _harness.Server.LastRequest.Known.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Run_BudgetLeavesMessagesUnknown_ForgetsTheSourceState()
    {
        _harness.DeliverMessages(3);
        _harness.Server.SourceState = "state-1";
        await _harness.RunOkAsync();
        _harness.DeliverMessages(2, first: 4);
        _harness.Options.MaxMessagesPerRun = 1;
        _harness.Server.SourceState = "state-2";

        await _harness.RunOkAsync();

        // A remembered state would let the source skip listing the message the budget left for later.
        Assert.Null((await _harness.LedgerAsync()).SourceState);
    }

    [Fact]
    public async Task Retry_ClearingAnEntry_ForgetsTheSourceState()
    {
        _harness.Server.Deliver("u1", ScriptedServer.Message(1));
        _harness.Server.Refused.Add("u1");
        _harness.Server.SourceState = "state-1";
        await _harness.RunOkAsync();
        Assert.Equal("state-1", (await _harness.LedgerAsync()).SourceState);

        var retried = await _harness.Runner.RetryAsync(RunHarness.Mailbox, ["u1"], CancellationToken.None);

        Assert.Equal(["u1"], retried.Cleared);
        Assert.Null((await _harness.LedgerAsync()).SourceState);
    }
}
