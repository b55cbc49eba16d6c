using System.Text;
using MailIngest.Pop3.Protocol;

namespace MailIngest.Pop3.Tests.Protocol;

/// <summary>
/// The dot-unstuffing reader, property-style: many random messages built from the lines that trip readers up, sent in
/// random packets and read in random sizes, must come out byte for byte; cut anywhere before the end of the terminator,
/// they must fail rather than end.
/// </summary>
public sealed class MessageDataStreamTests
{
    private const int Messages = 400;

    /// <summary>What a line is made of: dots where they matter, a bare CR, NUL, 8-bit bytes, UTF-8, long runs.</summary>
    private static readonly byte[][] Pieces =
    [
        "."u8.ToArray(), ".."u8.ToArray(), "..."u8.ToArray(), ".x"u8.ToArray(), "x."u8.ToArray(), " ."u8.ToArray(),
        "\r"u8.ToArray(), "\0"u8.ToArray(), [0x80, 0xFF, 0xA0], "é€"u8.ToArray(), "From "u8.ToArray(), "word"u8.ToArray(),
        "=2E"u8.ToArray(), "\t"u8.ToArray(),
    ];

    [Fact]
    public async Task Read_RandomMessagesInRandomPacketsAndReadSizes_YieldsTheExactBytesAndLeavesTheNextReply()
    {
        var random = new Random(14);
        for (var i = 0; i < Messages; i++)
        {
            var message = RandomMessage(random);
            var wire = Concat(DotStuff(message), "+OK next\r\n"u8.ToArray());
            await using var connection = Connect(wire, random);
            using var deadline = Deadline(connection);
            await using var data = new MessageDataStream(connection, deadline);

            var read = await ReadAllAsync(data, random);

            Assert.True(Expected(message).AsSpan().SequenceEqual(read), $"message {i} came out different: {Show(message)}");
            Assert.Equal(read.Length, data.Octets);
            Assert.Equal("+OK next", await connection.ReadLineAsync(deadline));
        }
    }

    [Fact]
    public async Task Read_ConnectionCutAnywhereBeforeTheTerminatorEnds_ThrowsInsteadOfEnding()
    {
        var random = new Random(1939);
        for (var i = 0; i < Messages; i++)
        {
            var wire = DotStuff(RandomMessage(random));

            // Inside the terminator (after "\r\n", ".", ".\r") and anywhere before it.
            foreach (var cut in new[] { wire.Length - 1, wire.Length - 2, wire.Length - 3, random.Next(wire.Length) })
            {
                await using var connection = Connect(wire[..cut], random);
                using var deadline = Deadline(connection);
                await using var data = new MessageDataStream(connection, deadline);

                var error = await Assert.ThrowsAsync<IOException>(() => ReadAllAsync(data, random));

                Assert.Contains("inside a message", error.Message, StringComparison.Ordinal);
                Assert.True(connection.IsBroken);
            }
        }
    }

    [Theory]
    [InlineData("Subject: a\r\n\r\n.\r\n", "Subject: a\r\n\r\n")]
    [InlineData("Subject: a\r\n\r\n..\r\n.\r\n", "Subject: a\r\n\r\n.\r\n")]
    [InlineData("Subject: a\r\n\r\n...\r\n..x\r\n.y\r\n.\r\n", "Subject: a\r\n\r\n..\r\n.x\r\n.y\r\n")]
    [InlineData("Subject: a\n\nbare LF\n..\n.\n", "Subject: a\n\nbare LF\n.\n")]
    [InlineData(".\r\n", "")]
    [InlineData("..\r\n.\r\n", ".\r\n")]
    [InlineData("a\r\n.\rb\r\n.\r\n", "a\r\n.\rb\r\n")]
    public async Task Read_KnownWire_YieldsTheMessage(string wire, string message)
    {
        var random = new Random(5034);
        await using var connection = Connect(Encoding.Latin1.GetBytes(wire), random);
        using var deadline = Deadline(connection);
        await using var data = new MessageDataStream(connection, deadline);

        var read = await ReadAllAsync(data, random);

        Assert.Equal(message, Encoding.Latin1.GetString(read));
    }

    [Fact]
    public async Task Drain_AfterAPartialRead_ReadsToTheTerminatorOnly()
    {
        var random = new Random(2449);
        var message = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(n => $"line {n}\r\n")));
        await using var connection = Connect(Concat(DotStuff(message), "+OK next\r\n"u8.ToArray()), random);
        using var deadline = Deadline(connection);
        await using var data = new MessageDataStream(connection, deadline);
        await data.ReadExactlyAsync(new byte[100]);

        await data.DrainAsync();

        Assert.Equal(message.Length, data.Octets);
        Assert.Equal("+OK next", await connection.ReadLineAsync(deadline));
    }

    private static Pop3Connection Connect(byte[] wire, Random random) =>
        new(new ChunkedStream(wire, random, maxPacket: 700), "pop.example.com:110", TimeSpan.FromSeconds(30), log: null);

    private static Pop3Deadline Deadline(Pop3Connection connection) =>
        connection.Deadline("RETR 1", TimeSpan.FromMinutes(1), CancellationToken.None);

    private static async Task<byte[]> ReadAllAsync(Stream data, Random random)
    {
        var result = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = await data.ReadAsync(buffer.AsMemory(0, random.Next(3) == 0 ? 1 : random.Next(1, buffer.Length + 1)))) > 0)
        {
            result.Write(buffer, 0, n);
        }

        return result.ToArray();
    }

    /// <summary>Lines of pieces, ended by CRLF or (one in four) a bare LF; one message in four has a last line without either.</summary>
    private static byte[] RandomMessage(Random random)
    {
        var message = new MemoryStream();
        var lines = random.Next(0, 30);
        for (var line = 0; line < lines; line++)
        {
            for (var piece = random.Next(0, 5); piece > 0; piece--)
            {
                message.Write(random.Next(12) == 0 ? Encoding.ASCII.GetBytes(new string('a', random.Next(100, 9000))) : Pieces[random.Next(Pieces.Length)]);
            }

            if (line < lines - 1 || random.Next(4) != 0)
            {
                message.Write(random.Next(4) == 0 ? "\n"u8 : "\r\n"u8);
            }
        }

        return message.ToArray();
    }

    /// <summary>What a server sends (RFC 1939 section 3): a dot before every line that begins with one, CRLF after an unended last line, then ".\r\n".</summary>
    private static byte[] DotStuff(byte[] message)
    {
        var wire = new MemoryStream();
        var atLineStart = true;
        foreach (var b in message)
        {
            if (atLineStart && b == (byte)'.')
            {
                wire.WriteByte((byte)'.');
            }

            wire.WriteByte(b);
            atLineStart = b == (byte)'\n';
        }

        if (!atLineStart)
        {
            wire.Write("\r\n"u8);
        }

        wire.Write(".\r\n"u8);
        return wire.ToArray();
    }

    /// <summary>The message as the client must yield it: as sent, with the CRLF the server added to an unended last line.</summary>
    private static byte[] Expected(byte[] message) =>
        message.Length > 0 && message[^1] != (byte)'\n' ? Concat(message, "\r\n"u8.ToArray()) : message;

    private static byte[] Concat(byte[] first, byte[] second) => [.. first, .. second];

    private static string Show(byte[] message) => Encoding.Latin1.GetString(message.Length > 300 ? message[..300] : message).ReplaceLineEndings("⏎");
}
