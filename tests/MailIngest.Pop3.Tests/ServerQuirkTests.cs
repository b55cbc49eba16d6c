using MailIngest.Ingestion;

namespace MailIngest.Pop3.Tests;

/// <summary>
/// Real servers' quirks, replayed through the real core loop: no UIDL, duplicate UIDLs, a message cut short, dropped
/// connections, Gmail's session window and <c>recent:</c> mode, Exchange's missing PIPELINING and estimated sizes. Servers
/// greet and log in as recorded (<see cref="ServerLogin"/>, <see cref="Recorded"/>).
/// </summary>
public sealed class ServerQuirkTests
{
    private static readonly string[] Messages = [.. Enumerable.Range(1, 20).Select(n => Transcript.Message(n))];

    private static long[] Sizes(int count) => [.. Messages.Take(count).Select(m => (long)m.Length)];

    private static IEnumerable<Pop3Exchange> Retrs(int count, int first = 1) =>
        Enumerable.Range(first, count).Select(n => Transcript.Retr(n, Messages[n - 1]));

    [Fact]
    public async Task Run_ServerWithoutUidl_FailsNamingTheCapabilityWithoutRetrying()
    {
        // No CAPA at all: our client probes UIDL with "UIDL 1" after login.
        var replay = new ReplayServer([
            .. Transcript.LoginWithoutCapa(2),
            new("UIDL 1", "-ERR Unknown command\r\n"),
        ]);
        await using var ingestion = new ReplayIngestion(replay);

        var result = await ingestion.RunAsync();

        Assert.Equal(MailboxRunStatus.Failed, result.Status);
        Assert.Contains("does not support the UIDL command", result.Error, StringComparison.Ordinal);
        Assert.Single(replay.Connections);
        Assert.DoesNotContain(replay.Commands, c => c.StartsWith("RETR", StringComparison.Ordinal));
        Assert.Empty(ingestion.Manifests());
    }

    [Fact]
    public async Task Run_ServerWithoutCapaButWithUidl_Ingests()
    {
        var replay = new ReplayServer([
            .. Transcript.LoginWithoutCapa(2),
            new("UIDL 1", "+OK 1 u1\r\n"),
            Transcript.Uidl("u1", "u2"),
            Transcript.List(Sizes(2)),
            .. Retrs(2),
            Transcript.Quit,
        ]);
        await using var ingestion = new ReplayIngestion(replay);

        var result = await ingestion.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.Equal(2, ingestion.Manifests().Count);
        Assert.Equal(1, replay.Connections[0].MaxCommandsPerWrite);
    }

    [Fact]
    public async Task Run_DuplicateUidls_StoresEveryCopyWithAWarningAndDeletesThem()
    {
        // Copies 1 and 3 share a UIDL but differ in content: both are kept, the second under its own key.
        var replay = new ReplayServer([
            .. Transcript.Login(3),
            Transcript.Uidl("dup", "u2", "dup"),
            Transcript.List(Sizes(3)),
            .. Retrs(3),
            Transcript.Dele(1), Transcript.Dele(2), Transcript.Dele(3),
            Transcript.Quit,
        ]);
        await using var ingestion = new ReplayIngestion(replay, new Dictionary<string, string?> { ["DeleteAfterIngest"] = "true" });

        var result = await ingestion.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.True(replay.Connections[0].Completed);
        var manifests = ingestion.Manifests();
        Assert.Equal(3, manifests.Count);
        var copies = manifests.Where(m => m["uidl"]!.GetValue<string>() == "dup").ToList();
        Assert.Equal(2, copies.Select(m => m["key"]!.GetValue<string>()).Distinct().Count());
        Assert.All(copies, m => Assert.Contains(ReplayIngestion.Warnings(m), w => w.Contains("listed UIDL 'dup' 2 times", StringComparison.Ordinal)));
        Assert.Equal(3, result.Deleted);
    }

    [Fact]
    public async Task Run_DuplicateUidlAlreadyIngested_IsNotDeleted()
    {
        // The ledger knows "dup", but this session stored neither copy: which one was stored cannot be told, so neither is deleted.
        var first = new ReplayServer([.. Transcript.Login(1), Transcript.Uidl("dup"), Transcript.List(Sizes(1)), .. Retrs(1), Transcript.Quit]);
        await using var ingestion = new ReplayIngestion(first);
        Assert.Equal(MailboxRunStatus.Succeeded, (await ingestion.RunAsync()).Status);
        var second = new ReplayServer([.. Transcript.Login(3), Transcript.Uidl("dup", "u2", "dup"), Transcript.List(Sizes(3)), .. Retrs(1, first: 2), Transcript.Dele(2), Transcript.Quit]);
        await using var again = ingestion.Over(second, deleteAfterIngest: true);

        var result = await again.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.True(second.Connections[0].Completed);
        Assert.Equal(1, result.Deleted);
    }

    [Fact]
    public async Task Run_MessageCutShortByTheServer_IsStoredWithAWarning()
    {
        // LIST promised 5000 octets; the server ended the RETR after a few hundred.
        var replay = new ReplayServer([.. Transcript.Login(1), Transcript.Uidl("u1"), Transcript.List(5000), .. Retrs(1), Transcript.Quit]);
        await using var ingestion = new ReplayIngestion(replay);

        var result = await ingestion.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        var warnings = ReplayIngestion.Warnings(Assert.Single(ingestion.Manifests()));
        Assert.Contains(warnings, w => w.Contains("LIST announced 5000", StringComparison.Ordinal) && w.Contains("cut the message short", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ConnectionDroppedInsideAMessage_ReconnectsAndStoresEachMessageOnce()
    {
        var cut = Transcript.Retr(2, Messages[1]).Response[..40];
        var replay = new ReplayServer(
            [.. Transcript.Login(3), Transcript.Uidl("u1", "u2", "u3"), Transcript.List(Sizes(3)), Transcript.Retr(1, Messages[0]), Pop3Exchange.DroppedAfter("RETR 2", cut)],
            // Message 1 arrived whole before the cut and is stored; the new session fetches only the other two.
            [.. Transcript.Login(3), Transcript.Uidl("u1", "u2", "u3"), Transcript.List(Sizes(3)), .. Retrs(2, first: 2), Transcript.Quit]);
        await using var ingestion = new ReplayIngestion(replay, new Dictionary<string, string?> { ["LedgerFlushEvery"] = "1" });

        var result = await ingestion.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.Equal(1, result.Reconnects);
        Assert.True(replay.Connections[1].Completed);
        Assert.Equal(["u1", "u2", "u3"], ingestion.Manifests().Select(m => m["uidl"]!.GetValue<string>()).Order());
        Assert.All(ingestion.Manifests(), m => Assert.Empty(ReplayIngestion.Warnings(m)));
    }

    [Fact]
    public async Task Run_ConnectionDroppedInTheSecondBatch_DoesNotFetchTheFirstAgain()
    {
        // Batches hold 16 messages: the first batch is stored before RETR 17 is cut.
        string[] uidls = [.. Enumerable.Range(1, 17).Select(n => $"u{n}")];
        var cut = Transcript.Retr(17, Messages[16]).Response[..40];
        var replay = new ReplayServer(
            [.. Transcript.Login(17, ServerLogin.Exchange), Transcript.Uidl(uidls), Transcript.List(Sizes(17)), .. Retrs(16), Pop3Exchange.DroppedAfter("RETR 17", cut)],
            [.. Transcript.Login(17, ServerLogin.Exchange), Transcript.Uidl(uidls), Transcript.List(Sizes(17)), Transcript.Retr(17, Messages[16]), Transcript.Quit]);
        await using var ingestion = new ReplayIngestion(replay);

        var result = await ingestion.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.Equal(1, result.Reconnects);
        Assert.True(replay.Connections[1].Completed);
        Assert.Equal(17, ingestion.Manifests().Count);
        Assert.Equal(17, result.Stored);
    }

    [Fact]
    public async Task Run_InUseThenFree_RetriesOnANewConnection()
    {
        var replay = new ReplayServer(
            Recorded.Session("dovecot/in-use.log"),
            [.. Transcript.Login(1), Transcript.Uidl("u1"), Transcript.List(Sizes(1)), .. Retrs(1), Transcript.Quit]);
        await using var ingestion = new ReplayIngestion(replay);

        var result = await ingestion.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.Equal(1, result.Reconnects);
        Assert.Contains("reconnected 1 times", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RejectedPassword_FailsWithoutRetrying()
    {
        var replay = new ReplayServer(Recorded.Session("dovecot/auth-failed.log"));
        await using var ingestion = new ReplayIngestion(replay);

        var result = await ingestion.RunAsync();

        Assert.Equal(MailboxRunStatus.Failed, result.Status);
        Assert.Equal(0, result.Reconnects);
        Assert.Contains("rejected the login", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Transcript.Password, result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LoginDelayRefusal_FailsSayingWhenToPollAgain()
    {
        // Gmail announces LOGIN-DELAY 300; the refusal is typed, as no recording has one.
        var replay = new ReplayServer(Transcript.RefusedLogin("-ERR [LOGIN-DELAY] Minimum time between mail checks violation.", ServerLogin.Gmail));
        await using var ingestion = new ReplayIngestion(replay);

        var result = await ingestion.RunAsync();

        Assert.Equal(MailboxRunStatus.Failed, result.Status);
        Assert.Contains("may be polled again after", result.Error, StringComparison.Ordinal);
        Assert.Single(replay.Connections);
    }

    [Fact]
    public async Task Run_GmailRecentMode_FetchesOnlyWhatTheMovedWindowAdds()
    {
        // "recent:user" lists the last 30 days, already downloaded mail included, in a window that moves on.
        var first = new ReplayServer([.. Transcript.Login(3, ServerLogin.Gmail), Transcript.Uidl("GmailId1", "GmailId2", "GmailId3"), Transcript.List(Sizes(3)), .. Retrs(3), Transcript.Quit]);
        await using var ingestion = new ReplayIngestion(first);
        Assert.Equal(MailboxRunStatus.Succeeded, (await ingestion.RunAsync()).Status);
        var second = new ReplayServer([
            .. Transcript.Login(3, ServerLogin.Gmail),
            Transcript.Uidl("GmailId2", "GmailId3", "GmailId4"),
            Transcript.List(Sizes(3)),
            Transcript.Retr(3, Messages[3]),
            Transcript.Quit,
        ]);
        await using var again = ingestion.Over(second);

        var result = await again.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.Equal(1, result.Stored);
        Assert.Equal(4, ingestion.Manifests().Count);
    }

    [Fact]
    public async Task Run_GmailNormalModeWindow_TripsTheUidlGuardUnlessItIsOff()
    {
        // Normal mode hides downloaded mail: the next session's window of (here) 12 lists 12 other messages.
        string[] firstWindow = [.. Enumerable.Range(1, 12).Select(n => $"GmailId{n}")];
        string[] nextWindow = [.. Enumerable.Range(13, 12).Select(n => $"GmailId{n}")];
        var messages = Enumerable.Range(1, 12).Select(n => Transcript.Retr(n, Transcript.Message(n)));
        var first = new ReplayServer([.. Transcript.Login(12, ServerLogin.Gmail), Transcript.Uidl(firstWindow), Transcript.List([.. Enumerable.Repeat(200L, 12)]), .. messages, Transcript.Quit]);
        await using var ingestion = new ReplayIngestion(first);
        Assert.Equal(MailboxRunStatus.Succeeded, (await ingestion.RunAsync()).Status);

        var guarded = new ReplayServer([.. Transcript.Login(12, ServerLogin.Gmail), Transcript.Uidl(nextWindow)]);
        await using (var again = ingestion.Over(guarded))
        {
            var stopped = await again.RunAsync();
            Assert.Equal(MailboxRunStatus.Failed, stopped.Status);
            Assert.Contains("UIDLs changed", stopped.Error, StringComparison.Ordinal);
        }

        var unguarded = new ReplayServer([.. Transcript.Login(12, ServerLogin.Gmail), Transcript.Uidl(nextWindow), Transcript.List([.. Enumerable.Repeat(200L, 12)]), .. messages, Transcript.Quit]);
        await using var off = ingestion.Over(unguarded, uidlGuard: false);
        var result = await off.RunAsync();
        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.Equal(12, result.Stored);
    }

    [Fact]
    public async Task Run_ExchangeOnline_RetrievesOneByOneAndNotesEstimatedSizes()
    {
        var large = Transcript.Message(2, padding: 20_000);
        var replay = new ReplayServer([
            // Exchange's recorded login is an on-premises server's; Exchange Online's differs only by offering XOAUTH2.
            .. Transcript.Login(2, ServerLogin.Exchange),
            Transcript.Uidl("AQHa1", "AQHa2"),
            // Exchange's LIST sizes are estimates: close for the first message, far off for the second.
            Transcript.List(Messages[0].Length + 40, 9000),
            Transcript.Retr(1, Messages[0]),
            Transcript.Retr(2, large),
            Transcript.Quit,
        ]);
        await using var ingestion = new ReplayIngestion(replay);

        var result = await ingestion.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.Equal(1, replay.Connections[0].MaxCommandsPerWrite);
        var manifests = ingestion.Manifests().ToDictionary(m => m["uidl"]!.GetValue<string>());
        Assert.Empty(ReplayIngestion.Warnings(manifests["AQHa1"]));
        Assert.Contains(ReplayIngestion.Warnings(manifests["AQHa2"]), w => w.Contains("sizes are estimates", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_EmptyMailboxOnDovecot_SendsWhatTheRecordedPollSent()
    {
        // The whole recorded session: the replay fails on any command the recording does not have next.
        var replay = new ReplayServer(Recorded.Session("dovecot/empty-mailbox.log"));
        await using var ingestion = new ReplayIngestion(replay);

        var result = await ingestion.RunAsync();

        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        Assert.True(replay.Connections[0].Completed);
        Assert.Equal(["CAPA", Transcript.AuthPlain, "CAPA", "STAT", "UIDL", "QUIT"], replay.Commands);
    }

    [Fact]
    public async Task Run_DovecotWithPipelining_RequestsTheBatchTogether()
    {
        var replay = new ReplayServer([.. Transcript.Login(3), Transcript.Uidl("u1", "u2", "u3"), Transcript.List(Sizes(3)), .. Retrs(3), Transcript.Quit]);
        await using var ingestion = new ReplayIngestion(replay);

        Assert.Equal(MailboxRunStatus.Succeeded, (await ingestion.RunAsync()).Status);
        Assert.Equal(3, replay.Connections[0].MaxCommandsPerWrite);
    }

    [Fact]
    public async Task Adopt_RecordsEverythingWithoutFetching()
    {
        var adopt = new ReplayServer([.. Transcript.Login(2), Transcript.Uidl("u1", "u2"), Transcript.List(Sizes(2)), Transcript.Quit]);
        await using var ingestion = new ReplayIngestion(adopt);

        var adopted = await ingestion.AdoptAsync();

        Assert.True(adopted.Status == MailboxRunStatus.Succeeded, adopted.Summary);
        Assert.Equal(2, adopted.Adopted);
        Assert.Contains("adopted 2 messages", adopted.Summary, StringComparison.Ordinal);
        var next = new ReplayServer([.. Transcript.Login(3), Transcript.Uidl("u1", "u2", "u3"), Transcript.List(Sizes(3)), Transcript.Retr(3, Messages[2]), Transcript.Quit]);
        await using var again = ingestion.Over(next);
        var result = await again.RunAsync();
        Assert.Equal(1, result.Stored);
    }
}
