using System.Diagnostics;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Azure;

/// <summary>The mailbox lease between real processes: exclusive while a run lives, and gone by itself when a run dies.</summary>
public sealed class LeaseTests() : AzureMailboxTest("leased")
{
    [Fact]
    public async Task Once_TwoProcessesAtOnce_OneIngestsTheOtherSkipsAndNothingIsDoubled()
    {
        await DeliverAsync(20, paddingBytes: 100_000);
        Configure(new { DeleteAfterIngest = true });
        // Held at its first stored message, with the lease taken, however fast the run is.
        var (first, resume) = await Workspace.StartOnceHeldAtAsync("RawStored:1");
        Assert.True(LeaseHeld(), "the first process should hold the lease");

        // Frozen while it holds the lease, the first process is certainly alive when the second one runs.
        ProcessSignals.Send(first.Id, UnixSignal.Stop);
        RunOutput second;
        try
        {
            second = await Workspace.OnceAsync();
        }
        finally
        {
            ProcessSignals.Send(first.Id, UnixSignal.Continue);
            await File.WriteAllTextAsync(resume, "");
        }

        var firstRun = await first.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains($"{User}: skipped, another worker holds the mailbox lock", second.Stdout, StringComparison.Ordinal);
        Assert.True(firstRun.ExitCode == 0, firstRun.ToString());
        Assert.Contains($"{User}: ok, new 20, stored 20", firstRun.Stdout, StringComparison.Ordinal);
        var sessions = await Dovecot.WaitForSessionsAsync(1, User);
        Assert.Equal(20, sessions.Sum(s => s.RetrMessages));
        AssertEverythingStoredOnceAndDeleted();
    }

    [Fact]
    public async Task Once_KilledWhileHoldingTheLease_BlocksTheMailboxNoLongerThanTheLeaseDuration()
    {
        await DeliverAsync(4, paddingBytes: 0);
        Configure(new { DeleteAfterIngest = true });

        var crashed = await Workspace.OnceAsync(new Dictionary<string, string> { ["MAILINGEST_FAULT_INJECTION"] = "ManifestStored:2" });
        var sinceKill = Stopwatch.StartNew();

        Assert.True(crashed.Killed, crashed.ToString());
        Assert.True(LeaseHeld(), "the killed run's lease should outlive it for a while");
        var blocked = await Workspace.OnceAsync();
        Assert.True(sinceKill.Elapsed < LeaseDuration, $"the check ran {sinceKill.Elapsed} after the kill, too late to see the lease");
        Assert.Contains($"{User}: skipped, another worker holds the mailbox lock", blocked.Stdout, StringComparison.Ordinal);
        Assert.Equal(4, Dovecot.MessageCount(User));

        // The lease was last taken or renewed before the kill, so one lease period after it the mailbox is free.
        var rest = LeaseDuration + TimeSpan.FromSeconds(1) - sinceKill.Elapsed;
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest);
        }

        var rerun = await Workspace.OnceAsync();

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Contains($"{User}: ok", rerun.Stdout, StringComparison.Ordinal);
        AssertEverythingStoredOnceAndDeleted();
    }

    [Fact]
    public async Task Once_FrozenLongerThanItsLease_StopsBeforeItsNextLedgerWriteOrDeleteWhileAnotherWorkerTakesOver()
    {
        await DeliverAsync(20, paddingBytes: 100_000);
        Configure(new { DeleteAfterIngest = true });
        // The test host holds the run at its third stored manifest, so that it is certainly under way when it is frozen.
        var (first, resume) = await Workspace.StartOnceHeldAtAsync("ManifestStored:3");

        // Frozen (a paused VM, a stopped container) past its lease: another worker takes the mailbox and finishes it.
        ProcessSignals.Send(first.Id, UnixSignal.Stop);
        RunOutput second;
        try
        {
            await Task.Delay(LeaseDuration + TimeSpan.FromSeconds(1));
            second = await Workspace.OnceAsync();
        }
        finally
        {
            ProcessSignals.Send(first.Id, UnixSignal.Continue);
            await File.WriteAllTextAsync(resume, "");
        }

        var firstRun = await first.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(0, Dovecot.MessageCount(User));
        Assert.True(firstRun.ExitCode == 1, firstRun.ToString());
        Assert.True(firstRun.Stdout.Contains("the lock on mailbox leased was lost", StringComparison.Ordinal), firstRun.ToString());
        Assert.Equal(20, (await Dovecot.WaitForSessionsAsync(2, User)).Sum(s => s.DeletedMessages));
        AssertEverythingStoredOnceAndDeleted();

        // The second worker's ledger is whole: nothing is new, nothing is fetched again.
        var third = await Workspace.OnceAsync();
        Assert.Contains($"{User}: ok, new 0", third.Stdout, StringComparison.Ordinal);
    }
}
