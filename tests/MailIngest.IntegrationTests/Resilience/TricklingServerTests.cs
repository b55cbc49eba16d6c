using System.Diagnostics;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Resilience;

/// <summary>
/// Issue #12, item 9: a server that trickles its answer a byte at a time never lets the connection go idle, so the
/// socket timeout never fires; the command's own deadline (scaled by its size) is hours for a large message. MaxRunTime
/// still ends the run: one Timeout after it, the retrieval is cut off, and what is stored stays stored.
/// </summary>
public sealed class TricklingServerTests() : FaultedMailboxTest("trickle")
{
    [Fact]
    public async Task Once_ServerTricklesInsideALargeMessage_MaxRunTimeEndsTheRunKeepingWhatIsStored()
    {
        await using var proxy = CuttingProxy.Start(Dovecot.Host, Dovecot.Port);
        proxy.Fault = ProxyFault.AfterServerBytes(IntoTheLargeMessage).Trickling(TimeSpan.FromMilliseconds(200)) with { OnlyConnection = 1 };
        Configure(new { DeleteAfterIngest = true, MaxRunTime = "00:00:02", Timeout = "00:00:02" }, port: proxy.Port);

        var clock = Stopwatch.StartNew();
        var run = await Workspace.OnceAsync();
        clock.Stop();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(1, proxy.StallCount);
        // Trickling the rest of the large message at 5 bytes a second would take days; MaxRunTime and one Timeout are 4 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the run took {clock.Elapsed}");
        Assert.Contains("stored 2", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("left for next run 4", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, Workspace.Manifests().Count);
        Assert.Equal(Messages, Dovecot.MessageCount(User));

        var rest = await Workspace.OnceAsync();
        Assert.True(rest.ExitCode == 0, rest.ToString());
        AssertEachMessageStoredOnceAndMailboxEmpty();
    }
}
