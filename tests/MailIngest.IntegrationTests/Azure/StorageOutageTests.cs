using System.Diagnostics;
using Xunit.Abstractions;

namespace MailIngest.IntegrationTests.Azure;

/// <summary>
/// Azurite frozen (SIGSTOP: requests hang) or stopped (connections refused) in the middle of a delete-mode run: the
/// run fails in bounded time naming the storage endpoint, nothing is deleted from the server, and once storage is
/// back (and the dead run's lease has ended) one run stores everything exactly once.
/// </summary>
public sealed class StorageOutageTests(ITestOutputHelper output) : AzureMailboxTest("outage")
{
    private const int Messages = 30;

    /// <summary>Three tries of NetworkTimeout 3 s each for the failing write, again for recording the failure, and the lease release.</summary>
    private static readonly TimeSpan FailureBound = TimeSpan.FromSeconds(45);

    public enum Outage
    {
        Frozen,
        Stopped,
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await DeliverAsync(Messages, paddingBytes: 200_000);
    }

    [Theory]
    [InlineData(Outage.Frozen)]
    [InlineData(Outage.Stopped)]
    public async Task Once_StorageGoesDownMidRun_FailsInBoundedTimeDeletesNothingAndTheNextRunCompletes(Outage outage)
    {
        Configure(new { DeleteAfterIngest = true, LedgerFlushEvery = 5 });

        // Held once its first manifest is stored, so that storage goes down mid-run however fast the run is (the
        // compiled program stored all 30 before a poll for that manifest saw it).
        var (process, resume) = await Workspace.StartOnceHeldAtAsync("ManifestStored:1");
        var clock = Stopwatch.StartNew();
        if (outage == Outage.Frozen)
        {
            Azurite.Freeze();
        }
        else
        {
            await Azurite.StopAsync();
        }

        await File.WriteAllTextAsync(resume, "");
        var failed = await process.WaitAsync(FailureBound + TimeSpan.FromSeconds(30));
        var failedAfter = clock.Elapsed;
        var left = Dovecot.MessageCount(User);
        output.WriteLine($"{outage}: the run failed {failedAfter.TotalSeconds:F1} s after the outage began, exit {failed.ExitCode}; " +
            $"{left} of {Messages} messages still on the server. Summary: {failed.Stdout.Trim()}");

        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.InRange(failedAfter, TimeSpan.Zero, FailureBound);
        Assert.Contains($"{User}: FAILED", failed.Stdout, StringComparison.Ordinal);
        Assert.Contains(Azurite.BlobEndpoint, failed.Stdout, StringComparison.Ordinal);
        Assert.Equal(Messages, left);

        if (outage == Outage.Frozen)
        {
            Azurite.Thaw();
        }
        else
        {
            await Azurite.StartAsync(CancellationToken.None);
        }

        // The failed run could not release its lease while storage was down; it would end by itself.
        await Workspace.Archive.EndOrphanedLockAsync(User);
        var clockAfter = Stopwatch.StartNew();
        var rerun = await Workspace.OnceAsync();
        output.WriteLine($"After the outage one run took {clockAfter.Elapsed.TotalSeconds:F1} s: {rerun.Stdout.Trim()}");

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Contains($"deleted {Messages}", rerun.Stdout, StringComparison.Ordinal);
        AssertEverythingStoredOnceAndDeleted();
    }
}
