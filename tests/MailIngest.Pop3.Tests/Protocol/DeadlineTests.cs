using System.Diagnostics;
using MailIngest.Pop3.Protocol;
using MailIngest.Sources;

namespace MailIngest.Pop3.Tests.Protocol;

/// <summary>
/// Issue #12 item 9: a server that trickles or stalls fails its command in bounded time, however long the listing or
/// message; a slow consumer is not the server's fault; the caller's cancellation closes the connection at once.
/// </summary>
public sealed class DeadlineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Fact]
    public void Allowance_GrowsWithTheOctetsAtTheMinimumRate()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), Pop3Deadline.Allowance(TimeSpan.FromSeconds(60), 0));
        Assert.Equal(TimeSpan.FromSeconds(70), Pop3Deadline.Allowance(TimeSpan.FromSeconds(60), 10L * Pop3Deadline.MinimumBytesPerSecond));
    }

    [Fact]
    public async Task GetUidls_ServerTricklesFasterThanTheTimeoutButTooSlowly_FailsTransientWithinItsAllowance()
    {
        // A byte every 50 ms never leaves the connection idle for a 4 s Timeout (a margin of 80, for a machine so busy
        // that a timer fires seconds late), and the answer takes 15 s: the listing's allowance (4 s and its size at
        // 32 KiB/s) ends first.
        var timeout = TimeSpan.FromSeconds(4);
        var uidls = string.Concat(Enumerable.Range(1, 25).Select(n => $"{n} uidl-{n:D4}\r\n"));
        var replay = new ReplayServer([.. Transcript.Login(2), Pop3Exchange.Trickled("UIDL", $"+OK\r\n{uidls}.\r\n", TimeSpan.FromMilliseconds(50))]);
        await using var session = await replay.Server.OpenAsync("support", Options(timeout), CancellationToken.None);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MailServerException>(() => session.ListAsync(ListingRequest.Fresh, CancellationToken.None));

        Assert.Equal(MailServerFailure.Transient, error.Failure);
        Assert.Contains("did not answer in time", error.Message, StringComparison.Ordinal);
        Assert.Contains("UIDL did not complete within", error.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, timeout, timeout * 3);
    }

    [Fact]
    public async Task GetUidls_ServerSendsNothing_FailsTransientAfterTheTimeout()
    {
        var replay = new ReplayServer([.. Transcript.Login(2), Pop3Exchange.Stalled("UIDL")]);
        await using var session = await replay.Server.OpenAsync("support", Options(), CancellationToken.None);

        var error = await Assert.ThrowsAsync<MailServerException>(() => session.ListAsync(ListingRequest.Fresh, CancellationToken.None));

        Assert.Equal(MailServerFailure.Transient, error.Failure);
        Assert.Contains("UIDL: nothing came for 00:00:01 (the mailbox's Timeout)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrieve_ServerTricklesAMessage_FailsWithinTheTimeoutPlusItsSizeAtTheMinimumRate()
    {
        var message = Transcript.Message(1);
        var replay = new Pop3ReplayStream([.. Transcript.Login(1), Transcript.List(message.Length), Pop3Exchange.Trickled("RETR 1", Transcript.Retr(1, message).Response, TimeSpan.FromMilliseconds(100))]);
        await using var client = await ReplayClient.LoginAsync(replay, Timeout);
        await client.ListAsync(CancellationToken.None);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => ReplayClient.RetrieveAsync(client, [1]));

        Assert.StartsWith("RETR 1 did not complete within", error.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, Timeout, Timeout * 3);
    }

    [Fact]
    public async Task Retrieve_ConsumerSlowerThanTheTimeout_IsNotCountedAgainstTheServer()
    {
        var replay = new Pop3ReplayStream([.. Transcript.Login(2), Transcript.Retr(1, Transcript.Message(1)), Transcript.Retr(2, Transcript.Message(2)), Transcript.Quit]);
        await using var client = await ReplayClient.LoginAsync(replay, TimeSpan.FromMilliseconds(300));

        await client.RetrieveAsync(
            [1, 2],
            async (_, message, ct) =>
            {
                await message.ReadExactlyAsync(new byte[10], ct);
                await Task.Delay(TimeSpan.FromMilliseconds(700), ct);
            },
            ReplayClient.NoRefusal,
            CancellationToken.None);
        await client.QuitAsync(CancellationToken.None);

        Assert.True(replay.Completed);
    }

    [Fact]
    public async Task Retrieve_CallerCancelsWhileTheServerStalls_AbortsAtOnce()
    {
        var replay = new Pop3ReplayStream([.. Transcript.Login(1), Pop3Exchange.Stalled("RETR 1")]);
        await using var client = await ReplayClient.LoginAsync(replay, TimeSpan.FromMinutes(10));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReplayClient.RetrieveAsync(client, [1], cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        await Assert.ThrowsAsync<IOException>(() => client.UidlAsync(CancellationToken.None));
    }

    private static Configuration.MailboxOptions Options(TimeSpan? timeout = null)
    {
        var options = Transcript.Options();
        options.Timeout = timeout ?? Timeout;
        return options;
    }
}
