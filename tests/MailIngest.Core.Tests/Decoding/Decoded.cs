using System.Text;

namespace MailIngest.Decoding;

/// <summary>Decodes test messages and reads back what would be stored.</summary>
internal static class Decoded
{
    public static DecodedMessage From(string message, DecoderLimits? limits = null) =>
        From(Encoding.UTF8.GetBytes(message), limits);

    public static DecodedMessage From(byte[] message, DecoderLimits? limits = null) =>
        new MessageDecoder(limits ?? new DecoderLimits()).Decode(new MemoryStream(message, writable: false));

    public static async Task<byte[]> BytesAsync(Func<Stream, CancellationToken, Task> writeToAsync)
    {
        using var buffer = new MemoryStream();
        await writeToAsync(buffer, CancellationToken.None);
        return buffer.ToArray();
    }

    /// <summary>The stored body as text, checked to be UTF-8 without a byte order mark.</summary>
    public static async Task<string> TextAsync(DecodedBody body)
    {
        var bytes = await BytesAsync(body.WriteToAsync);
        Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), $"{body.Path} starts with a byte order mark.");
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
    }

    public static DecodedBody Body(this DecodedMessage message, string path) =>
        Assert.Single(message.Bodies, body => body.Path == path);

    public static DecodedAttachment Attachment(this DecodedMessage message, string fileName) =>
        Assert.Single(message.Attachments, attachment => attachment.FileName == fileName);
}
