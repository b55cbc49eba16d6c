using System.Text;
using MailIngest.Pop3.Protocol;

namespace MailIngest.Pop3.Tests.Protocol;

/// <summary>Our client's commands over replayed transcripts: pipelined retrieval, lying sizes, consumers that stop early or fail, TOP.</summary>
public sealed class Pop3ClientTests
{
    private static readonly string[] Messages = [.. Enumerable.Range(1, 20).Select(n => Transcript.Message(n, padding: n * 300))];

    private static IEnumerable<Pop3Exchange> Retrs(int count) => Enumerable.Range(1, count).Select(n => Transcript.Retr(n, Messages[n - 1]));

    private static long[] Sizes(int count) => [.. Messages.Take(count).Select(m => (long)m.Length)];

    [Fact]
    public async Task Retrieve_ServerWithPipelining_KeepsAWindowOfRetrsInFlightAndHandsMessagesOnInOrder()
    {
        var replay = new Pop3ReplayStream([.. Transcript.Login(20), Transcript.List(Sizes(20)), .. Retrs(20), Transcript.Quit]);
        await using var client = await ReplayClient.LoginAsync(replay);
        await client.ListAsync(CancellationToken.None);

        var retrieved = await ReplayClient.RetrieveAsync(client, [.. Enumerable.Range(1, 20)]);
        await client.QuitAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(1, 20).Select(n => (n, Messages[n - 1])), retrieved);
        Assert.Equal(Pop3Client.PipelineWindow, replay.MaxCommandsPerWrite);
        Assert.Equal(Pop3Client.PipelineWindow, replay.MaxOutstanding);
        Assert.True(replay.Completed);
    }

    [Fact]
    public async Task Retrieve_ServerWithoutPipelining_SendsOneRetrAtATime()
    {
        var replay = new Pop3ReplayStream([.. Transcript.Login(5, ServerLogin.Exchange), .. Retrs(5), Transcript.Quit]);
        await using var client = await ReplayClient.LoginAsync(replay);

        var retrieved = await ReplayClient.RetrieveAsync(client, [1, 2, 3, 4, 5]);
        await client.QuitAsync(CancellationToken.None);

        Assert.Equal(Messages.Take(5), retrieved.Select(r => r.Message));
        Assert.Equal(1, replay.MaxCommandsPerWrite);
        Assert.Equal(1, replay.MaxOutstanding);
    }

    [Fact]
    public async Task Retrieve_ListSizesThatLie_NeitherTruncatesNorPads()
    {
        // Exchange Online estimates LIST sizes: far below, far above, and zero.
        var replay = new Pop3ReplayStream([.. Transcript.Login(3, ServerLogin.Exchange), Transcript.List(10, 999_999, 0), .. Retrs(3), Transcript.Quit]);
        await using var client = await ReplayClient.LoginAsync(replay);
        await client.ListAsync(CancellationToken.None);

        var retrieved = await ReplayClient.RetrieveAsync(client, [1, 2, 3]);

        Assert.Equal(Messages.Take(3), retrieved.Select(r => r.Message));
    }

    [Fact]
    public async Task Retrieve_ConsumerThatReadsOnlyTheStart_TheRestIsDrainedAndTheSessionGoesOn()
    {
        var replay = new Pop3ReplayStream([.. Transcript.Login(3), .. Retrs(3), Transcript.Dele(3), Transcript.Quit]);
        await using var client = await ReplayClient.LoginAsync(replay);
        var starts = new List<string>();

        await client.RetrieveAsync(
            [1, 2, 3],
            async (_, message, ct) =>
            {
                var start = new byte[10];
                await message.ReadExactlyAsync(start, ct);
                starts.Add(Encoding.ASCII.GetString(start));
            },
            ReplayClient.NoRefusal,
            CancellationToken.None);
        await client.DeleteAsync([3], CancellationToken.None);
        await client.QuitAsync(CancellationToken.None);

        Assert.Equal(Messages.Take(3).Select(m => m[..10]), starts);
        Assert.True(replay.Completed);
    }

    [Fact]
    public async Task Retrieve_ConsumerFailsWithRetrsInFlight_ThrowsItsErrorAndTheSessionGoesOn()
    {
        var replay = new Pop3ReplayStream([.. Transcript.Login(5), .. Retrs(5), Transcript.Dele(1), Transcript.Quit]);
        await using var client = await ReplayClient.LoginAsync(replay);
        var consumed = new List<int>();

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => client.RetrieveAsync(
            [1, 2, 3, 4, 5],
            (number, _, _) =>
            {
                consumed.Add(number);
                return number == 2 ? throw new InvalidDataException("cannot store message 2") : Task.CompletedTask;
            },
            ReplayClient.NoRefusal,
            CancellationToken.None));
        await client.DeleteAsync([1], CancellationToken.None);
        await client.QuitAsync(CancellationToken.None);

        Assert.Equal("cannot store message 2", error.Message);
        Assert.Equal([1, 2], consumed);
        Assert.True(replay.Completed);
    }

    [Fact]
    public async Task Retrieve_RetrRefusedForOneMessageWithRetrsInFlight_ReportsItAndRetrievesTheRest()
    {
        // Another client deleted message 2 since the listing, or the server cannot read it: that message's own matter.
        var replay = new Pop3ReplayStream([.. Transcript.Login(3), Transcript.Retr(1, Messages[0]), new("RETR 2", "-ERR no such message\r\n"), Transcript.Retr(3, Messages[2]), Transcript.Quit]);
        await using var client = await ReplayClient.LoginAsync(replay);

        var retrieved = await ReplayClient.RetrieveAsync(client, [1, 2, 3]);
        await client.QuitAsync(CancellationToken.None);

        Assert.Equal([(1, Messages[0]), (2, "refused: no such message"), (3, Messages[2])], retrieved);
        Assert.True(replay.Completed);
    }

    [Fact]
    public async Task Retrieve_RetrRefusedWithACodeAboutTheServer_ThrowsTheRefusalAndTheSessionGoesOn()
    {
        var replay = new Pop3ReplayStream([.. Transcript.Login(3), Transcript.Retr(1, Messages[0]), new("RETR 2", "-ERR [SYS/TEMP] disk trouble\r\n"), Transcript.Retr(3, Messages[2]), Transcript.Quit]);
        await using var client = await ReplayClient.LoginAsync(replay);

        var error = await Assert.ThrowsAsync<Pop3RefusedException>(() => ReplayClient.RetrieveAsync(client, [1, 2, 3]));
        await client.QuitAsync(CancellationToken.None);

        Assert.Equal("RETR 2", error.Command);
        Assert.Equal("[SYS/TEMP] disk trouble", error.StatusText);
        Assert.True(replay.Completed);
    }

    [Fact]
    public async Task Retrieve_ConnectionCutInsideTheSecondMessage_ThrowsIOExceptionAfterHandingOnOnlyTheFirst()
    {
        var cut = Transcript.Retr(2, Messages[1]).Response[..300];
        var replay = new Pop3ReplayStream([.. Transcript.Login(3), Transcript.Retr(1, Messages[0]), Pop3Exchange.DroppedAfter("RETR 2", cut)]);
        await using var client = await ReplayClient.LoginAsync(replay);
        var complete = new List<int>();

        await Assert.ThrowsAsync<IOException>(() => client.RetrieveAsync(
            [1, 2, 3],
            async (number, message, ct) =>
            {
                await message.CopyToAsync(Stream.Null, ct);
                complete.Add(number);
            },
            ReplayClient.NoRefusal,
            CancellationToken.None));

        Assert.Equal([1], complete);
    }

    [Fact]
    public async Task Top_HeaderBlockLargerThanTheBound_IsCutAndSaysSo()
    {
        var header = string.Concat(Enumerable.Range(0, 4000).Select(n => $"X-Trace-{n}: {new string('t', 70)}\r\n")) + "\r\n";
        var replay = new Pop3ReplayStream([.. Transcript.Login(2), new("TOP 1 0", $"+OK\r\n{header}.\r\n"), new("TOP 2 0", "+OK\r\nSubject: small\r\n\r\n.\r\n"), Transcript.Quit]);
        await using var client = await ReplayClient.LoginAsync(replay);

        var large = await client.TopAsync(1, 0, CancellationToken.None);
        var small = await client.TopAsync(2, 0, CancellationToken.None);
        await client.QuitAsync(CancellationToken.None);

        Assert.True(large.IsCut);
        Assert.Equal(Pop3Client.MaxHeaderBlock, large.Bytes.Length);
        Assert.Equal(header.Length, large.Octets);
        Assert.Equal(header[..Pop3Client.MaxHeaderBlock], Encoding.ASCII.GetString(large.Bytes.Span));
        Assert.False(small.IsCut);
        Assert.Equal("Subject: small\r\n\r\n", Encoding.ASCII.GetString(small.Bytes.Span));
        Assert.True(replay.Completed);
    }

    [Fact]
    public async Task Uidl_BytesOutsideAscii_DecodeAsMailKitDecodesThem()
    {
        // UIDLs are the ledger's keys: valid UTF-8 (bytes C3 A9) is UTF-8, anything else (byte E9) is Latin-1, as MailKit reads lines.
        var replay = new Pop3ReplayStream([.. Transcript.Login(2), new("UIDL", "+OK\r\n1 utf8-\u00c3\u00a9\r\n2 latin1-\u00e9\r\n.\r\n")]);
        await using var client = await ReplayClient.LoginAsync(replay);

        var uidls = await client.UidlAsync(CancellationToken.None);

        Assert.Equal(["utf8-é", "latin1-é"], uidls);
    }

    [Fact]
    public async Task Delete_WithPipelining_SendsTheDelesTogether()
    {
        var replay = new Pop3ReplayStream([.. Transcript.Login(3), Transcript.Dele(1), Transcript.Dele(2), Transcript.Dele(3), Transcript.Quit]);
        await using var client = await ReplayClient.LoginAsync(replay);

        await client.DeleteAsync([1, 2, 3], CancellationToken.None);
        await client.QuitAsync(CancellationToken.None);

        Assert.Equal(3, replay.MaxCommandsPerWrite);
        Assert.True(replay.Completed);
    }
}
