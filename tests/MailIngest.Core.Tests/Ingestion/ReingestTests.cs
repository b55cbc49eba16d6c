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

    /// <summary>Five messages stored as u1..u5, then renumbered r1..r5 with a sixth, new message r6.</summary>
    private async Task StoreFiveThenRenumberAsync()
    {
        for (var n = 1; n <= 5; n++)
        {
            _harness.Server.Deliver($"u{n}", ScriptedServer.Message(n));
        }

        Assert.Equal(5, (await _harness.RunAsync()).Stored);
        for (var n = 1; n <= 5; n++)
        {
            _harness.Server.Remove($"u{n}");
            _harness.Server.Deliver($"r{n}", ScriptedServer.Message(n));
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

    /// <summary>Six manifests: the five stored before the renumbering under their old IDs, and the new message.</summary>
    private void AssertEachStoredOnce() =>
        Assert.Equal(["r6", "u1", "u2", "u3", "u4", "u5"], _harness.Manifests().Select(RunHarness.Uidl).Order(StringComparer.Ordinal));
}
