using System.Buffers;
using System.Security.Cryptography;
using MailIngest.Decoding;
using MimeKit;
using MimeKit.Utils;

namespace MailIngest.Ingestion;

/// <summary>
/// Recognises a message that a server gave back after a renumbering with its header rewritten (a migration adds or
/// changes header fields): it has the Message-ID and the body, the bytes after the header block, of a message stored
/// before (docs/recovery.md). Neither alone is enough: resent and forwarded copies keep a Message-ID, and bodies repeat.
/// </summary>
internal static class RewrittenCopy
{
    // MimeKit learns the charsets it can decode when it is first used: the code pages must be known to .NET by then.
    static RewrittenCopy() => Charsets.EnsureRegistered();

    /// <summary>The message's Message-ID as its manifest gives it, or null when it has none (or no readable header).</summary>
    public static string? MessageId(Stream message)
    {
        try
        {
            var headers = new MimeParser(message, MimeFormat.Entity).ParseHeaders();
            return headers[HeaderId.MessageId] is { } value ? MimeUtils.ParseMessageId(value) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The SHA-256 of the bytes after the header block's blank line, or null when there is no blank line.</summary>
    public static async Task<string?> BodySha256Async(Stream message, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var inBody = false;
            var lineStart = true;
            var crAtLineStart = false;
            int read;
            while ((read = await message.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var from = 0;
                for (var i = 0; !inBody && i < read; i++)
                {
                    var b = buffer[i];
                    if (b == '\n' && (lineStart || crAtLineStart))
                    {
                        inBody = true;
                        from = i + 1;
                    }

                    crAtLineStart = lineStart && b == '\r';
                    lineStart = b == '\n';
                }

                if (inBody)
                {
                    hash.AppendData(buffer, from, read - from);
                }
            }

            return inBody ? Convert.ToHexStringLower(hash.GetHashAndReset()) : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
