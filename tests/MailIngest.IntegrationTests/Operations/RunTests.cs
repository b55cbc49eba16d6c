using MailIngest.Ledger;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Operations;

/// <summary><c>mailingest run</c>: Quartz ingests on the cron schedule, and SIGTERM stops it cleanly.</summary>
public sealed class RunTests() : MailboxTest("scheduled")
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Run_MailArrivingWhileRunning_IsIngestedAndSigtermStopsWithExitZero()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await Dovecot.DeliverAsync(User, TestMail.Numbered(2));
        Configure(new { Schedule = "0/2 * * * * ?", DeleteAfterIngest = true });
        var run = Workspace.Start(null, "run", "--config", Workspace.ConfigPath);

        await Eventually.HoldsAsync(() => Workspace.Manifests().Count == 2, Patience, "the first two messages are stored");
        await Dovecot.DeliverAsync(User, TestMail.Numbered(3));
        await Dovecot.DeliverAsync(User, TestMail.Numbered(4));
        await Eventually.HoldsAsync(() => Workspace.Manifests().Count == 4, Patience, "mail delivered later is stored on a later tick");
        await Eventually.HoldsAsync(() => Dovecot.MessageCount(User) == 0, Patience, "stored mail is deleted from the server");

        run.Terminate();
        var stopped = await run.WaitAsync(TimeSpan.FromSeconds(40));

        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Equal(4, Workspace.Manifests().Select(m => m.Uidl).Distinct().Count());
        var ledger = Workspace.Ledger(User)!;
        Assert.Equal(4, ledger.Totals.MessagesStored);
        Assert.Equal(RunOutcome.Succeeded, ledger.LastRun!.Outcome);
        Assert.Empty(Workspace.TempFiles());
    }

    [Fact]
    public async Task Run_SigtermInTheMiddleOfARun_RecordsWhatIsStoredAndTheNextRunFinishesExactlyOnce()
    {
        var delivered = new List<byte[]>();
        for (var n = 1; n <= 30; n++)
        {
            delivered.Add(TestMail.Numbered(n, paddingBytes: 20_000));
            await Dovecot.DeliverAsync(User, delivered[^1]);
        }

        // The first window of 16 arrives; the second stalls in its fourth message until the POP3 timeout ends the session.
        await using var proxy = CuttingProxy.Start(Dovecot.Host, Dovecot.Port);
        proxy.Fault = ProxyFault.AfterServerBytes(delivered.Take(20).Sum(m => m.Length)).Stalling();
        Configure(new { Schedule = "0/2 * * * * ?", Timeout = "00:00:03", LedgerFlushEvery = 100 }, port: proxy.Port);
        var run = Workspace.Start(null, "run", "--config", Workspace.ConfigPath);
        await proxy.FirstFault.WaitAsync(Patience);
        await Eventually.HoldsAsync(() => Workspace.Manifests().Count >= 16, Patience, "the first window is stored");

        run.Terminate();
        var stopped = await run.WaitAsync(TimeSpan.FromSeconds(40));

        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        // Every message that arrived whole before the stall is stored and recorded; the one cut off is not.
        var ledger = Workspace.Ledger(User)!;
        var stored = Workspace.Manifests().Count;
        Assert.InRange(stored, 16, 19);
        Assert.Equal(stored, ledger.Count);
        Assert.NotNull(ledger.LastRun);

        proxy.Fault = null;
        Configure(port: proxy.Port);
        var rest = await Workspace.OnceAsync();
        Assert.True(rest.ExitCode == 0, rest.ToString());
        Assert.Contains($"new {30 - stored}, stored {30 - stored}", rest.Stdout, StringComparison.Ordinal);
        Assert.Equal(30, Workspace.Manifests().Select(m => m.Uidl).Distinct().Count());
        Assert.Equal(30, Workspace.Manifests().Count);
    }

    [Fact]
    public async Task Run_InvalidCronSchedule_ExitsTwoQuotingIt()
    {
        Configure(new { Schedule = "every five minutes" });

        var run = await MailIngestProcess.RunAsync(Workspace.Root, null, "run", "--config", Workspace.ConfigPath);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("MailIngest:Mailboxes:scheduled:Schedule 'every five minutes'", run.Stderr, StringComparison.Ordinal);
    }
}
