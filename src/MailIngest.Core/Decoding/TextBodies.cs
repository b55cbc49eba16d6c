using System.Text;
using MimeKit;
using MimeKit.Text;

namespace MailIngest.Decoding;

/// <summary>Builds the stored form of a body: its text converted from the declared charset to UTF-8, streamed.</summary>
internal static class TextBodies
{
    private const int BufferChars = 16 * 1024;

    public static DecodedBody Create(TextPart part, string path, string contentType, (Encoding Encoding, string Charset) resolved)
    {
        var (encoding, charset) = resolved;
        return new DecodedBody(path, contentType, charset, (destination, cancellationToken) =>
            WriteUtf8Async(part, encoding, destination, cancellationToken));
    }

    /// <summary>The encoding to read the part with, and the charset to report for it.</summary>
    /// <remarks>
    /// A missing, unknown or US-ASCII label says nothing reliable about 8-bit bytes, so those are read as UTF-8 when
    /// valid, else as Windows-1252; ISO-8859-1 is read as its superset Windows-1252, as browsers do.
    /// </remarks>
    public static (Encoding Encoding, string Charset) ResolveEncoding(TextPart part)
    {
        var declared = part.ContentType.Charset;
        var encoding = Charsets.FromContentType(part.ContentType);
        if (encoding is null || encoding.CodePage == Encoding.ASCII.CodePage)
        {
            encoding = IsValidUtf8(part) ? Charsets.Utf8 : Charsets.Windows1252;
        }
        else if (encoding.CodePage == Encoding.Latin1.CodePage)
        {
            encoding = Charsets.Windows1252;
        }

        return (encoding, string.IsNullOrWhiteSpace(declared) ? encoding.WebName : declared);
    }

    /// <summary>Opens the part's content with its transfer encoding removed, or an empty stream when it has none.</summary>
    public static Stream OpenDecoded(MimePart part) => part.Content?.Open() ?? Stream.Null;

    private static bool IsValidUtf8(MimePart part)
    {
        using var stream = OpenDecoded(part);
        return Charsets.IsValidUtf8(stream);
    }

    private static async Task WriteUtf8Async(TextPart part, Encoding encoding, Stream destination, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(OpenDecoded(part), encoding, detectEncodingFromByteOrderMarks: true, BufferChars);
        await using var writer = new StreamWriter(destination, Charsets.Utf8, BufferChars, leaveOpen: true);
        if (part.IsFlowed)
        {
            // Undo format=flowed soft line breaks so the stored text reads as the sender wrote it.
            var delSp = part.ContentType.Parameters.TryGetValue("delsp", out string? value) && string.Equals(value, "yes", StringComparison.OrdinalIgnoreCase);
            new FlowedToText { DeleteSpace = delSp }.Convert(reader, writer);
        }
        else
        {
            var buffer = new char[BufferChars];
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }

        await writer.FlushAsync(cancellationToken);
    }
}
