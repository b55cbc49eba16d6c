using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Engine;

/// <summary><c>mailingest once</c> against a real Dovecot, into each store.</summary>
public abstract class OnceTests(StoreKind store) : MailboxTest("support", store)
{
    private async Task<List<byte[]>> DeliverAsync(int count, int first = 1)
    {
        var messages = Enumerable.Range(first, count).Select(n => TestMail.Numbered(n)).ToList();
        foreach (var message in messages)
        {
            await Dovecot.DeliverAsync(User, message);
        }

        return messages;
    }

    [Fact]
    public async Task Once_FirstRun_StoresEveryMessageWithExactRawBytes()
    {
        var delivered = await DeliverAsync(5);
        Configure();

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        var manifests = Workspace.Manifests();
        Assert.Equal(5, manifests.Count);
        Assert.Equal(5, manifests.Select(m => m.Uidl).Distinct().Count());
        Assert.Equal(
            delivered.Select(Convert.ToHexString).Order(),
            manifests.Select(m => Convert.ToHexString(m.Raw)).Order());
        Assert.All(manifests, m => Assert.Single(m.Attachments));
        Assert.All(manifests, m => Assert.True(Workspace.Archive.Exists($"{m.Folder}/body.txt")));
        Assert.Contains("support: ok, new 5, stored 5", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(5, Dovecot.MessageCount(User));
        Assert.Empty(Workspace.TempFiles());
        Assert.Equal(5, Workspace.Ledger("support")!.Count);
    }

    [Fact]
    public async Task Once_SecondRun_IssuesNoRetrAndStoresNothingNew()
    {
        await DeliverAsync(3);
        Configure();
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);

        var second = await Workspace.OnceAsync();

        Assert.True(second.ExitCode == 0, second.ToString());
        var sessions = await Dovecot.WaitForSessionsAsync(2, User);
        Assert.Equal(3, sessions[0].RetrMessages);
        Assert.Equal(0, sessions[1].RetrMessages);
        Assert.Equal(0, sessions[1].DeletedMessages);
        Assert.Equal(3, Workspace.Manifests().Count);
        Assert.Contains("new 0, stored 0", second.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_NewMailBetweenRuns_FetchesOnlyTheNewMessages()
    {
        await DeliverAsync(2);
        Configure();
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
        await DeliverAsync(3, first: 3);

        var second = await Workspace.OnceAsync();

        Assert.Equal(0, second.ExitCode);
        var sessions = await Dovecot.WaitForSessionsAsync(2, User);
        Assert.Equal(3, sessions[1].RetrMessages);
        Assert.Equal(5, Workspace.Manifests().Count);
    }

    [Fact]
    public async Task Once_DeleteMode_EmptiesTheMailboxAfterStoring()
    {
        await DeliverAsync(4);
        Configure(new { DeleteAfterIngest = true });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(4, Workspace.Manifests().Count);
        Assert.Equal(0, Dovecot.MessageCount(User));
        Assert.Contains("deleted 4", run.Stdout, StringComparison.Ordinal);
        // Deleted messages leave the ledger as soon as the server acknowledged QUIT (docs/storage.md, "The ledger").
        var ledger = Workspace.Ledger("support")!;
        Assert.Equal(4, ledger.Totals.Deleted);
        Assert.Equal(0, ledger.Count);
    }

    [Fact]
    public async Task Once_MessageBudget_StopsEarlyAndTheNextRunContinues()
    {
        await DeliverAsync(5);
        Configure(new { MaxMessagesPerRun = 2 });

        var first = await Workspace.OnceAsync();
        Assert.Equal(2, Workspace.Manifests().Count);
        Assert.Contains("left for next run 3", first.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
        Assert.Equal(4, Workspace.Manifests().Count);
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);

        Assert.Equal(5, Workspace.Manifests().Count);
        var sessions = await Dovecot.WaitForSessionsAsync(3, User);
        Assert.Equal([2, 2, 1], sessions.Select(s => s.RetrMessages));
    }

    [Fact]
    public async Task Once_ByteBudget_StopsEarlyAndTheNextRunContinues()
    {
        await DeliverAsync(4);
        var size = TestMail.Numbered(1).Length;
        Configure(new { MaxBytesPerRun = size * 2 + 10 });

        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
        Assert.Equal(2, Workspace.Manifests().Count);
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);

        Assert.Equal(4, Workspace.Manifests().Count);
    }

    [Fact]
    public async Task Once_TimeBudgetAlreadySpent_StillFetchesOneBatchAndTheNextRunContinues()
    {
        await DeliverAsync(20);
        Configure(new { MaxRunTime = "00:00:00.001" });

        var first = await Workspace.OnceAsync();

        Assert.True(first.ExitCode == 0, first.ToString());
        var stored = Workspace.Manifests().Count;
        Assert.InRange(stored, 1, 19);
        Assert.Contains($"left for next run {20 - stored}", first.Stdout, StringComparison.Ordinal);
        while (Workspace.Manifests().Count < 20)
        {
            Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
        }

        Assert.Equal(20, Workspace.Manifests().Select(m => m.Uidl).Distinct().Count());
    }

    [Fact]
    public async Task Once_WrongPassword_ExitsOneWithAClearErrorAndNoSecret()
    {
        await DeliverAsync(1);
        Workspace.Configure(User, Dovecot.Host, Dovecot.Port, User, "wrong-password-xyz");

        var run = await Workspace.OnceAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("rejected the login", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password-xyz", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Workspace.Manifests());
    }

    [Fact]
    public async Task Once_ServerDown_ExitsOneNamingTheServer()
    {
        // One quick reconnect: enough to show that a refused connection is retried, then given up on.
        Configure(new { RetryAttempts = 1, RetryDelay = "00:00:00.2" });
        await Dovecot.StopAsync();

        var run = await Workspace.OnceAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"127.0.0.1:{Dovecot.Port}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Gave up after 1 reconnects", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_CorruptLedger_ExitsOneNamingTheLedgerAndFetchesNothing()
    {
        await DeliverAsync(1);
        Configure();
        Workspace.Archive.Write("state/support.json", "{ not json"u8.ToArray());

        var run = await Workspace.OnceAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("The ledger state/support.json", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(Workspace.Manifests());
    }

    [Fact]
    public async Task Once_SecondWorkerOnTheSameMailbox_SkipsItWhileTheFirstRuns()
    {
        await DeliverAsync(2);
        await using var proxy = CuttingProxy.Start(Dovecot.Host, Dovecot.Port);
        proxy.Fault = ProxyFault.AtClientText("RETR").Stalling();
        Configure(port: proxy.Port);
        var first = Workspace.StartOnce();
        await proxy.FirstFault.WaitAsync(TimeSpan.FromSeconds(60));

        var second = await Workspace.OnceAsync();

        Assert.Equal(0, second.ExitCode);
        Assert.Contains("support: skipped, another worker holds the mailbox lock", second.Stdout, StringComparison.Ordinal);
        Assert.Empty(Workspace.Manifests());

        // Released, the first worker reconnects (it retries a dropped connection) and finishes alone.
        proxy.Fault = null;
        proxy.CutStalledConnections();
        var firstRun = await first.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(firstRun.ExitCode == 0, firstRun.ToString());
        Assert.Contains("support: ok, new 2, stored 2", firstRun.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, Workspace.Manifests().Count);
        Assert.Equal(2, Workspace.Manifests().Select(m => m.Uidl).Distinct().Count());
    }
}

public sealed class OnceOnFileSystemTests() : OnceTests(StoreKind.FileSystem);

public sealed class OnceOnAzureBlobTests() : OnceTests(StoreKind.AzureBlob);
