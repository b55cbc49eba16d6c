using System.Security.Cryptography;
using System.Text;
using MailIngest.Ingestion;

namespace MailIngest.Core.Tests.Ingestion;

public sealed class RewrittenCopyTests
{
    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.Latin1.GetBytes(text)));

    private static Task<string?> BodyAsync(string message, int readSize = 4096) =>
        RewrittenCopy.BodySha256Async(new TrickleStream(Encoding.Latin1.GetBytes(message), readSize), CancellationToken.None);

    [Theory]
    [InlineData("A: 1\r\nB: 2\r\n\r\nbody\r\n", "body\r\n")]
    [InlineData("A: 1\nB: 2\n\nbody\n", "body\n")]
    [InlineData("A: 1\r\n\r\n\r\nfirst body line was empty\r\n", "\r\nfirst body line was empty\r\n")]
    [InlineData("A: 1\r\n\r\n", "")]
    [InlineData("\r\nno header at all", "no header at all")]
    public async Task BodySha256Async_HashesWhatFollowsTheHeaderBlocksBlankLine(string message, string body)
    {
        Assert.Equal(Sha256(body), await BodyAsync(message));
        // The blank line may fall across reads: one byte at a time gives the same.
        Assert.Equal(Sha256(body), await BodyAsync(message, readSize: 1));
    }

    [Fact]
    public async Task BodySha256Async_NoBlankLine_IsNull() => Assert.Null(await BodyAsync("A: 1\r\nB: 2\r\n"));

    [Fact]
    public async Task BodySha256Async_HeaderRewritten_SameBodyHash()
    {
        var message = "From: a@example.com\r\nMessage-ID: <x@example.com>\r\n\r\nHello\r\n";
        Assert.Equal(await BodyAsync(message), await BodyAsync("Received: from mx\r\n\tby mx2\r\n" + message));
    }

    [Theory]
    [InlineData("Message-ID: <abc@example.com>\r\nSubject: s\r\n\r\nbody", "abc@example.com")]
    [InlineData("Subject: s\r\nMessage-Id:\r\n  <folded@example.com>\r\n\r\nbody", "folded@example.com")]
    [InlineData("Subject: no id\r\n\r\nbody", null)]
    public void MessageId_IsTheOneTheManifestGives(string message, string? expected) =>
        Assert.Equal(expected, RewrittenCopy.MessageId(new MemoryStream(Encoding.Latin1.GetBytes(message))));

    /// <summary>Hands out at most a few bytes per read, as a socket or a slow disk may.</summary>
    private sealed class TrickleStream(byte[] content, int readSize) : MemoryStream(content)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, readSize));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);
    }
}
