using MailIngest.Archive;
using MailIngest.Core.Tests.Fakes;
using MailIngest.Ingestion;
using MailIngest.Ledger;

namespace MailIngest.Core.Tests.Ingestion;

/// <summary>
/// <c>mailingest reingest</c> after the server gave every message a new ID (a renumbered IMAP folder, new UIDLs): the
/// next run fetches them all and stores only those whose raw SHA-256 was not stored before, also when it is killed at
/// any step (docs/recovery.md).
/// </summary>
public sealed class ReingestTests : IDisposable
{
    private readonly RunHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    /// <summary>Five messages stored as u1..u5, then renumbered r1..r5 (as <paramref name="givenBack"/> makes them) with a sixth, new message r6.</summary>
    private async Task StoreFiveThenRenumberAsync(Func<int, string>? givenBack = null)
    {
        for (var n = 1; n <= 5; n++)
        {
            _harness.Server.Deliver($"u{n}", ScriptedServer.Message(n));
        }

        Assert.Equal(5, (await _harness.RunAsync()).Stored);
        for (var n = 1; n <= 5; n++)
        {
            _harness.Server.Remove($"u{n}");
            _harness.Server.Deliver($"r{n}", (givenBack ?? (n => ScriptedServer.Message(n)))(n));
        }

        _harness.Server.Deliver("r6", ScriptedServer.Message(6));
    }

    [Fact]
    public async Task Reingest_AfterRenumbering_RecordsKnownBytesUnderTheirOldKeysAndStoresOnlyTheNewMessage()
    {
        await StoreFiveThenRenumberAsync();
        Assert.Equal(MailboxRunStatus.Failed, (await _harness.RunAsync()).Status);

        var setAside = await _harness.ReingestAsync();
        Assert.True(setAside.Status == MailboxRunStatus.Succeeded, setAside.Summary);
        Assert.Equal(5, setAside.SetAside);
        Assert.Equal(5, (await _harness.LedgerAsync()).Renumbered.Count);
        var result = await _harness.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.Equal((6, 1, 5), (result.New, result.Stored, result.Matched));
        Assert.Contains("matched 5 stored before the renumbering", result.Summary, StringComparison.Ordinal);
        AssertEachStoredOnce();
        var ledger = await _harness.LedgerAsync();
        Assert.Empty(ledger.Renumbered);
        for (var n = 1; n <= 5; n++)
        {
            var entry = ledger.Find($"r{n}")!;
            Assert.Equal(EntryState.Stored, entry.State);
            Assert.Equal(ArchiveLayout.MessageKey(RunHarness.Mailbox, $"u{n}"), entry.Key);
        }

        Assert.Null(ledger.Find("r6")!.Key);
        Assert.Equal(0, (await _harness.RunAsync()).New);
    }

    [Theory]
    [InlineData(IngestStep.Retrieving, "r3")]
    [InlineData(IngestStep.ManifestStored, "r6")]
    [InlineData(IngestStep.LedgerFlushing, null)]
    [InlineData(IngestStep.Committing, null)]
    public async Task Reingest_RunKilledAtAStep_TheNextRunStoresNothingTwiceAndLosesNothing(IngestStep step, string? id)
    {
        await StoreFiveThenRenumberAsync();
        await _harness.ReingestAsync();
        _harness.Options.RetryAttempts = 0;
        _harness.OnStep = (reached, messageId) =>
        {
            if (reached == step && (id is null || messageId == id))
            {
                // kill -9: nothing after this moment is written.
                _harness.Archive.Unavailable = true;
                throw new InvalidOperationException("killed");
            }
        };

        Assert.Equal(MailboxRunStatus.Failed, (await _harness.RunAsync()).Status);
        _harness.Archive.Unavailable = false;
        _harness.OnStep = (_, _) => { };
        Assert.Equal(5, (await _harness.LedgerAsync()).Renumbered.Count);
        _harness.Restart();
        var result = await _harness.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        AssertEachStoredOnce();
        var ledger = await _harness.LedgerAsync();
        Assert.Empty(ledger.Renumbered);
        Assert.Equal(["r1", "r2", "r3", "r4", "r5", "r6"], ledger.Entries().Select(e => e.Id).Order(StringComparer.Ordinal));
        Assert.All(ledger.Entries(), e => Assert.Equal(EntryState.Stored, e.State));
    }

    [Fact]
    public async Task Reingest_ServerRewroteTheHeaders_RecordsEachCopyWithTheSameMessageIdAndBodyUnderItsOldKey()
    {
        await StoreFiveThenRenumberAsync(n => "X-Migrated-From: old.example.com\r\n" + ScriptedServer.Message(n));
        await _harness.ReingestAsync();
        var result = await _harness.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.Equal((6, 1, 5), (result.New, result.Stored, result.Matched));
        AssertEachStoredOnce();
        var ledger = await _harness.LedgerAsync();
        Assert.Empty(ledger.Renumbered);
        Assert.Equal(ArchiveLayout.MessageKey(RunHarness.Mailbox, "u3"), ledger.Find("r3")!.Key);
    }

    [Fact]
    public async Task Reingest_SameMessageIdWithAnotherBody_StoresItAsTheNewMessageItIs()
    {
        // A resent or edited copy keeps the Message-ID: only its bytes tell it apart, and it must not be lost.
        await StoreFiveThenRenumberAsync(n => n == 2 ? ScriptedServer.Message(n).Replace("Body of message 2.", "Corrected body.", StringComparison.Ordinal) : ScriptedServer.Message(n));
        await _harness.ReingestAsync();
        var result = await _harness.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.Equal((6, 2, 4), (result.New, result.Stored, result.Matched));
        Assert.Equal(["r2", "r6", "u1", "u2", "u3", "u4", "u5"], _harness.Manifests().Select(RunHarness.Uidl).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Reingest_MessageIdThatTwoStoredMessagesShare_MatchesNeitherByIt()
    {
        static string Rewritten(string message) => "X-Migrated-From: old.example.com\r\n" + message;
        var sharingM1 = ScriptedServer.Message(7).Replace("<m7@example.com>", "<m1@example.com>", StringComparison.Ordinal);
        _harness.Server.Deliver("u1", ScriptedServer.Message(1));
        _harness.Server.Deliver("u2", ScriptedServer.Message(2));
        _harness.Server.Deliver("u7", sharingM1);
        Assert.Equal(3, (await _harness.RunAsync()).Stored);
        foreach (var id in new[] { "u1", "u2", "u7" })
        {
            _harness.Server.Remove(id);
        }

        _harness.Server.Deliver("r1", Rewritten(ScriptedServer.Message(1)));
        _harness.Server.Deliver("r2", Rewritten(ScriptedServer.Message(2)));
        _harness.Server.Deliver("r7", Rewritten(sharingM1));
        await _harness.ReingestAsync();
        var result = await _harness.RunAsync();

        // Which of the two m1 was stored as which cannot be told by the Message-ID: both are stored again, none lost.
        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.Equal((3, 2, 1), (result.New, result.Stored, result.Matched));
        Assert.Equal(["r1", "r7", "u1", "u2", "u7"], _harness.Manifests().Select(RunHarness.Uidl).Order(StringComparer.Ordinal));
    }

    /// <summary>Six manifests: the five stored before the renumbering under their old IDs, and the new message.</summary>
    private void AssertEachStoredOnce() =>
        Assert.Equal(["r6", "u1", "u2", "u3", "u4", "u5"], _harness.Manifests().Select(RunHarness.Uidl).Order(StringComparer.Ordinal));
}
