using System.Globalization;
using System.Text;
using MimeKit;

namespace MailIngest.Decoding;

/// <summary>Resolves MIME charset labels to .NET encodings, with the repairs that mail in the wild needs.</summary>
internal static class Charsets
{
    private const string PrintableAscii = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

    static Charsets()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Windows1252 = Encoding.GetEncoding(1252);
    }

    /// <summary>UTF-8 without a byte order mark: how every body is stored.</summary>
    public static Encoding Utf8 { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public static Encoding StrictUtf8 { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>What unlabelled 8-bit text that is not UTF-8 almost always is (and what HTML reads "iso-8859-1" as).</summary>
    public static Encoding Windows1252 { get; }

    /// <summary>Makes sure the code-page encodings (GB2312, Shift_JIS, KOI8-R, Windows-125x, …) are known to .NET and MimeKit.</summary>
    public static void EnsureRegistered()
    {
        // Empty on purpose: calling any member runs the static constructor, which registers the provider once.
    }

    /// <summary>The encoding a Content-Type's charset names, or null when it names none that .NET knows.</summary>
    public static Encoding? FromContentType(ContentType contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType.Charset))
        {
            return null;
        }

        try
        {
            return contentType.CharsetEncoding;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>A copy of <paramref name="encoding"/> that throws on bytes it cannot decode instead of replacing them.</summary>
    public static Encoding Strict(Encoding encoding) =>
        encoding.CodePage == Encoding.UTF8.CodePage
            ? StrictUtf8
            : Encoding.GetEncoding(encoding.CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);

    /// <summary>Whether the encoding decodes ASCII as ASCII, so that it can read header syntax and uuencoded lines.</summary>
    public static bool IsAsciiCompatible(Encoding encoding)
    {
        try
        {
            return encoding.GetString(Encoding.ASCII.GetBytes(PrintableAscii)) == PrintableAscii;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>Decodes with a strict encoding, failing on invalid bytes and on text no person writes: the guess was wrong.</summary>
    /// <remarks>Private-use, unassigned and control characters betray a wrong guess that is still "valid", such as Latin-1 "ü" read as GBK.</remarks>
    public static bool TryDecode(Encoding strictEncoding, ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = strictEncoding.GetString(bytes);
            return !text.Any(c => c is not ('\t' or '\r' or '\n') && char.GetUnicodeCategory(c) is UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Control);
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <summary>Whether a charset label says Latin-1 or ASCII: the labels old mailers put on text of any charset.</summary>
    public static bool IsLatin1OrAsciiLabel(string charset) =>
        charset.ToUpperInvariant() is "ISO-8859-1" or "ISO8859-1" or "ISO_8859-1" or "LATIN1" or "LATIN-1" or "L1" or "CP819"
            or "US-ASCII" or "ASCII" or "ANSI_X3.4-1968";

    /// <summary>Whether the whole stream is valid UTF-8, read in chunks so that a large body is never held in memory.</summary>
    public static bool IsValidUtf8(Stream stream)
    {
        var decoder = StrictUtf8.GetDecoder();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                decoder.GetCharCount(buffer, 0, read, flush: false);
            }

            decoder.GetCharCount([], 0, 0, flush: true);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
