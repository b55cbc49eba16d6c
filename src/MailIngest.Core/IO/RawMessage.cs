using System.Security.Cryptography;

namespace MailIngest.IO;

/// <summary>
/// A retrieved message's exact bytes, with their size and SHA-256, on a seekable stream that MimeKit parses in place
/// (persistent parts are read from it, never copied). The stream stays the caller's: it is open as long as the message is needed.
/// </summary>
internal sealed class RawMessage
{
    private RawMessage(Stream content, long size, string sha256)
    {
        Content = content;
        Size = size;
        Sha256 = sha256;
    }

    /// <summary>The bytes, positioned at their start when <see cref="Of"/> returns.</summary>
    public Stream Content { get; }

    public long Size { get; }

    public string Sha256 { get; }

    /// <summary>Hashes <paramref name="content"/> (a seekable stream of the whole message) in one pass.</summary>
    public static RawMessage Of(Stream content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanSeek)
        {
            throw new ArgumentException("A raw message must be seekable: MimeKit reads its parts from it after parsing.", nameof(content));
        }

        content.Position = 0;
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        content.Position = 0;
        return new RawMessage(content, content.Length, sha256);
    }

    /// <summary>Copies the exact bytes to <paramref name="destination"/>.</summary>
    public Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        Content.Position = 0;
        return Content.CopyToAsync(destination, cancellationToken);
    }
}
