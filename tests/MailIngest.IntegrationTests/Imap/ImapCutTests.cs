using MailIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MailIngest.IntegrationTests.Imap;

/// <summary>
/// A proxy between the real <c>mailingest once</c> and a real Dovecot cuts (or stalls) the first IMAP connection at one
/// point of the session; the one run reconnects and still ends with exit 0, every message stored exactly once, the
/// folder empty (delete mode, or move mode for the cuts around MOVE).
/// </summary>
public sealed class ImapCutTests(ITestOutputHelper output) : FaultedMailboxTest("imapcut")
{
    public static TheoryData<string> CutPoints =>
        ["inside a large message", "stalled inside a large message", "at UID SEARCH", "at UID EXPUNGE", "in UID EXPUNGE's reply", "at UID MOVE", "in UID MOVE's reply"];

    private ProxyFault FaultAt(string cutPoint) => cutPoint switch
    {
        "inside a large message" => ProxyFault.AfterServerBytes(IntoTheLargeMessage),
        // Nothing moves any more: the mailbox's Timeout, not a cut, ends the session.
        "stalled inside a large message" => ProxyFault.AfterServerBytes(IntoTheLargeMessage).Stalling(),
        "at UID SEARCH" => ProxyFault.AtClientText("UID SEARCH"),
        // The messages are flagged \Deleted but never expunged: the next session fetches and compares them, then deletes.
        "at UID EXPUNGE" => ProxyFault.AtClientText("UID EXPUNGE"),
        // The server expunged them, but the client never hears so.
        "in UID EXPUNGE's reply" => ProxyFault.AtServerText("OK Expunge completed"),
        "at UID MOVE" => ProxyFault.AtClientText("UID MOVE"),
        "in UID MOVE's reply" => ProxyFault.AtServerText("OK Move completed"),
        _ => throw new ArgumentOutOfRangeException(nameof(cutPoint)),
    } with { OnlyConnection = 1 };

    [Theory]
    [MemberData(nameof(CutPoints))]
    public async Task Once_ConnectionCutOrStalled_OneRunReconnectsStoresEachMessageOnceAndEmptiesTheFolder(string cutPoint)
    {
        await using var proxy = CuttingProxy.Start(Dovecot.Host, Dovecot.ImapPort);
        proxy.Fault = FaultAt(cutPoint);
        var move = cutPoint.Contains("MOVE", StringComparison.Ordinal);
        Dovecot.FolderPath(User, "Processed");
        ConfigureImap(
            move
                ? new { MoveToFolder = "Processed", RetryDelay = "00:00:00.200", Timeout = "00:00:03" }
                : (object)new { DeleteAfterIngest = true, RetryDelay = "00:00:00.200", Timeout = "00:00:03" },
            port: proxy.Port);

        var run = await Workspace.OnceAsync();

        output.WriteLine($"{cutPoint}: {proxy.CutCount} cut, {proxy.StallCount} stalled, {proxy.ConnectionCount} connections\n{run.Stdout}");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(1, proxy.CutCount + proxy.StallCount);
        Assert.Equal(2, proxy.ConnectionCount);
        Assert.Contains("reconnected 1 times", run.Stdout, StringComparison.Ordinal);
        AssertEachMessageStoredOnceAndMailboxEmpty();
        Assert.Equal(move ? Messages : 0, Dovecot.MessageCount(User, "Processed"));
    }
}
