using System.Diagnostics;
using MailIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MailIngest.IntegrationTests.Resilience;

/// <summary>
/// A proxy between the real <c>mailingest once</c> and a real Dovecot cuts the first connection at one point of the
/// session; the one run reconnects and still ends with exit 0, every message stored exactly once, the mailbox empty.
/// </summary>
public sealed class ProxyCutTests(ITestOutputHelper output) : FaultedMailboxTest("cut")
{
    public static TheoryData<string> CutPoints => ["inside a large message", "during UIDL", "stalled during UIDL", "during DELE", "at QUIT", "in QUIT's reply"];

    private ProxyFault FaultAt(string cutPoint) => cutPoint switch
    {
        "inside a large message" => ProxyFault.AfterServerBytes(IntoTheLargeMessage),
        // Dovecot's UIDLs are %08Xu%08Xv, so this is the listing's second line. (A pattern must not start with CRLF: the
        // proxy would hold back the CRLF ending the reply before it, which stalls the session instead of cutting it.)
        "during UIDL" => ProxyFault.AtServerText("2 00000002"),
        // Nothing moves any more: the operation timeout, not a cut, ends the session.
        "stalled during UIDL" => ProxyFault.AtServerText("2 00000002").Stalling(),
        "during DELE" => ProxyFault.AtClientText("DELE 4\r\n"),
        // The server never sees QUIT, so it applies no deletion; the client, having sent DELEs, takes the session as failed.
        "at QUIT" => ProxyFault.AtClientText("QUIT\r\n"),
        // The server applied the deletions, but the client never hears so.
        "in QUIT's reply" => ProxyFault.AtServerText("+OK Logging out"),
        _ => throw new ArgumentOutOfRangeException(nameof(cutPoint)),
    } with { OnlyConnection = 1 };

    [Theory]
    [MemberData(nameof(CutPoints))]
    public async Task Once_ConnectionCutOrStalled_OneRunReconnectsStoresEachMessageOnceAndEmptiesTheMailbox(string cutPoint)
    {
        await using var proxy = CuttingProxy.Start(Dovecot.Host, Dovecot.Port);
        proxy.Fault = FaultAt(cutPoint);
        Configure(new { DeleteAfterIngest = true, RetryDelay = "00:00:00.200", Timeout = "00:00:03" }, port: proxy.Port);

        var clock = Stopwatch.StartNew();
        var run = await Workspace.OnceAsync();
        clock.Stop();

        output.WriteLine($"{cutPoint}: {proxy.CutCount} cut, {proxy.StallCount} stalled, {proxy.ConnectionCount} connections, {clock.Elapsed.TotalSeconds:0.0} s\n{run.Stdout}");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(1, proxy.CutCount + proxy.StallCount);
        Assert.Equal(2, proxy.ConnectionCount);
        Assert.Contains("reconnected 1 times", run.Stdout, StringComparison.Ordinal);
        AssertEachMessageStoredOnceAndMailboxEmpty();
    }
}
