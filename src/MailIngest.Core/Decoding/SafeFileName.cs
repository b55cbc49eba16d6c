using System.Globalization;
using System.Text;

namespace MailIngest.Decoding;

/// <summary>
/// Turns the file names senders choose into names that are safe to store on any file system or blob store.
/// </summary>
/// <remarks>
/// A safe name has no path separators, no <c>..</c>, no control or invisible formatting characters, no characters
/// Windows rejects, no leading or trailing dots or spaces, is no reserved device name (CON, NUL, COM1, …) and no
/// name the archive itself uses, and fits the byte budget in UTF-8, cut at a character boundary with its extension kept.
/// </remarks>
internal static class SafeFileName
{
    /// <summary>The most UTF-8 bytes a stored file name may take: file systems and blob tools allow 255.</summary>
    public const int MaxBytes = 254;

    private const string AttachmentFolder = "attachments/";
    private const string UnnamedStem = "unnamed";
    private const int MaxExtensionBytes = 32;

    private static readonly HashSet<string> DeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    private static readonly HashSet<string> ArchiveNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "message.eml", "manifest.json", "body.txt", "body.html", "error.json",
    };

    /// <summary>
    /// The stored path of the <paramref name="sequence"/>-th attachment: <c>attachments/{nn}-{safe name}</c>.
    /// </summary>
    /// <remarks>The 1-based sequence prefix makes stored names unique within a message, whatever the senders' names.</remarks>
    public static string ForAttachment(int sequence, string? fileName)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequence);
        var prefix = sequence.ToString("D2", CultureInfo.InvariantCulture) + "-";
        return AttachmentFolder + prefix + Sanitize(fileName, MaxBytes - prefix.Length);
    }

    /// <summary>A safe version of <paramref name="fileName"/> of at most <paramref name="maxBytes"/> UTF-8 bytes.</summary>
    public static string Sanitize(string? fileName, int maxBytes = MaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 2 * MaxExtensionBytes);

        var name = TrimDotsAndSpaces(CollapseDots(ReplaceUnsafeCharacters(LastSegment(fileName ?? string.Empty))));
        var (stem, extension) = SplitExtension(name);
        if (stem.Length == 0)
        {
            stem = UnnamedStem;
        }

        if (IsReserved(stem, extension))
        {
            stem = "_" + stem;
        }

        stem = TrimDotsAndSpaces(Truncate(stem, maxBytes - Encoding.UTF8.GetByteCount(extension)));
        return (stem.Length == 0 ? UnnamedStem : stem) + extension;
    }

    private static string LastSegment(string name)
    {
        var lastSeparator = name.AsSpan().LastIndexOfAny('/', '\\');
        return lastSeparator < 0 ? name : name[(lastSeparator + 1)..];
    }

    private static string ReplaceUnsafeCharacters(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var rune in name.EnumerateRunes())
        {
            // Format characters include the bidi overrides that make "evil\u202Etxt.exe" look like a text file.
            // Invalid UTF-16 arrives here as the replacement character and is replaced too.
            var unsafeRune = Rune.IsControl(rune)
                || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format
                || rune == Rune.ReplacementChar
                || rune.Value is '<' or '>' or ':' or '"' or '|' or '?' or '*';
            builder.Append(unsafeRune ? "_" : rune.ToString());
        }

        return builder.ToString();
    }

    private static string CollapseDots(string name)
    {
        while (name.Contains("..", StringComparison.Ordinal))
        {
            name = name.Replace("..", ".", StringComparison.Ordinal);
        }

        return name;
    }

    private static string TrimDotsAndSpaces(string name) => name.Trim().Trim('.').Trim();

    private static (string Stem, string Extension) SplitExtension(string name)
    {
        var dot = name.LastIndexOf('.');
        if (dot <= 0 || Encoding.UTF8.GetByteCount(name.AsSpan(dot)) > MaxExtensionBytes || name.AsSpan(dot).Contains(' '))
        {
            return (name, string.Empty);
        }

        return (name[..dot].TrimEnd(' ', '.'), name[dot..]);
    }

    private static bool IsReserved(string stem, string extension)
    {
        // Windows treats "CON.txt" and "con .tar.gz" as the device too, so only the part before the first dot counts.
        var firstSegment = stem.Split('.', 2)[0].TrimEnd(' ');
        return DeviceNames.Contains(firstSegment) || ArchiveNames.Contains(stem + extension);
    }

    /// <summary>Cuts at a text element boundary, so that neither a UTF-8 sequence nor a base letter and its accents are split.</summary>
    private static string Truncate(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var bytes = 0;
        var length = 0;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            var element = elements.GetTextElement();
            bytes += Encoding.UTF8.GetByteCount(element);
            if (bytes > maxBytes)
            {
                break;
            }

            length += element.Length;
        }

        return text[..length];
    }
}
