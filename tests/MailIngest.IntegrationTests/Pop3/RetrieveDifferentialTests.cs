using System.Net;
using System.Net.Sockets;
using System.Text;
using MailIngest.Decoding;
using MailIngest.IntegrationTests.Infrastructure;
using MailIngest.Pop3.Protocol;
using MailKit.Security;
using MailKitPop3Client = MailKit.Net.Pop3.Pop3Client;

namespace MailIngest.IntegrationTests.Pop3;

/// <summary>
/// Our streaming RETR against MailKit's <c>Pop3Client.GetStream</c>, kept as the reference: for every message of the
/// shared corpus and for generated mail that trips readers up (lines of dots, long lines, 8-bit bytes, NUL, bare LF, a
/// last line without a line end), the bytes our client hands on, pipelined, equal what MailKit returns from the same
/// Dovecot.
/// </summary>
public sealed class RetrieveDifferentialTests : IAsyncLifetime
{
    private const string User = "diff";
    private const string Password = "diff-pass-3c1e";

    private DovecotServer _dovecot = null!;

    public async Task InitializeAsync()
    {
        _dovecot = await DovecotServer.StartAsync();
        _dovecot.AddUser(User, Password);
    }

    public async Task DisposeAsync() => await _dovecot.DisposeAsync();

    [CorpusFact]
    public async Task Retrieve_SharedCorpus_YieldsWhatMailKitReturns()
    {
        var names = Corpus.Messages().ToList();
        foreach (var name in names)
        {
            await _dovecot.DeliverFileAsync(User, Corpus.PathOf(name));
        }

        await AssertSameAsMailKitAsync(names);
    }

    [Fact]
    public async Task Retrieve_GeneratedMail_YieldsWhatMailKitReturns()
    {
        var generated = Generated();
        foreach (var (_, raw) in generated)
        {
            await _dovecot.DeliverAsync(User, raw);
        }

        await AssertSameAsMailKitAsync([.. generated.Select(g => g.Name)]);
    }

    private async Task AssertSameAsMailKitAsync(List<string> names)
    {
        var reference = await RetrieveWithMailKitAsync(names.Count);
        var ours = await RetrieveWithOursAsync(names.Count);

        Assert.Equal(names.Count, ours.Count);
        var different = Enumerable.Range(0, names.Count).Where(i => !ours[i].AsSpan().SequenceEqual(reference[i])).Select(i => names[i]).ToList();
        Assert.True(different.Count == 0, $"our RETR differs from MailKit's for: {string.Join(", ", different)}");
    }

    private async Task<List<byte[]>> RetrieveWithMailKitAsync(int count)
    {
        using var client = new MailKitPop3Client();
        await client.ConnectAsync(_dovecot.Host, _dovecot.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(User, Password);
        var messages = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            await using var stream = await client.GetStreamAsync(i);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            messages.Add(copy.ToArray());
        }

        await client.DisconnectAsync(quit: true);
        return messages;
    }

    private async Task<List<byte[]>> RetrieveWithOursAsync(int count)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_dovecot.Host, _dovecot.Port);
        await using var client = await Pop3Client.ConnectAsync(
            new NetworkStream(socket, ownsSocket: true), _dovecot.Host, _dovecot.Port, TimeSpan.FromSeconds(30), tlsOnConnect: null, log: null, CancellationToken.None);
        await client.AuthenticateAsync(SaslMechanism.Create("PLAIN", new NetworkCredential(User, Password))!, CancellationToken.None);
        Assert.True(client.Capabilities.Pipelining, "Dovecot offers PIPELINING, so this compares the pipelined path");
        await client.ListAsync(CancellationToken.None);
        var messages = new List<byte[]>();
        await client.RetrieveAsync(
            [.. Enumerable.Range(1, count)],
            async (_, message, ct) =>
            {
                using var copy = new MemoryStream();
                await message.CopyToAsync(copy, ct);
                messages.Add(copy.ToArray());
            },
            (number, reason, _) => throw new InvalidOperationException($"Dovecot refused message {number}: {reason}"),
            CancellationToken.None);
        await client.QuitAsync(CancellationToken.None);
        return messages;
    }

    /// <summary>Messages made to trip a dot-unstuffing reader, named for the failure message.</summary>
    private static List<(string Name, byte[] Raw)> Generated()
    {
        const string Header = "From: a@example.com\r\nTo: b@example.net\r\nSubject: generated\r\nMessage-ID: <g@example.com>\r\n\r\n";
        var random = new Random(1939);
        var eightBit = new byte[3000];
        random.NextBytes(eightBit);
        var eightBitLines = eightBit.Select(b => b is (byte)'\r' or (byte)'\n' ? (byte)'.' : b).Chunk(60).SelectMany(line => line.Concat("\r\n"u8.ToArray())).ToArray();
        return
        [
            ("dot lines", Encoding.ASCII.GetBytes(Header + ".\r\n..\r\n...\r\n.x\r\nx.\r\n. \r\n.\r\n\r\n.end\r\n")),
            ("dot lines, bare LF", Encoding.ASCII.GetBytes((Header + ".\n..\n.x\nlast\n").Replace("\r\n", "\n", StringComparison.Ordinal))),
            ("bare LF", Encoding.ASCII.GetBytes((Header + "one\ntwo\n\nthree\n").Replace("\r\n", "\n", StringComparison.Ordinal))),
            ("mixed line ends", Encoding.ASCII.GetBytes(Header + "crlf\r\nlf\n.lf dot\n\rcr\r\n")),
            ("last line without a line end", Encoding.ASCII.GetBytes(Header + "no line end at the end")),
            ("last line a dot without a line end", Encoding.ASCII.GetBytes(Header + "text\r\n.")),
            ("long line", Encoding.ASCII.GetBytes(Header + new string('L', 200_000) + "\r\n." + new string('M', 70_000) + "\r\n")),
            ("8-bit and NUL", [.. Encoding.ASCII.GetBytes(Header), .. eightBitLines, 0, 0, (byte)'\r', (byte)'\n']),
            ("2 MiB of dot-led lines", Encoding.ASCII.GetBytes(Header + string.Concat(Enumerable.Range(0, 40_000).Select(n => n % 3 == 0 ? $".{n}.\r\n" : $"line {n} {new string('z', 40)}\r\n")))),
            ("empty body", Encoding.ASCII.GetBytes(Header)),
        ];
    }
}
