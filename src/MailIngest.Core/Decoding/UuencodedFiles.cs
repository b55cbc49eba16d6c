using System.Text;
using System.Text.RegularExpressions;

namespace MailIngest.Decoding;

/// <summary>Finds and decodes files that old mailers uuencoded into a text body (<c>begin 644 name</c> … <c>end</c>).</summary>
/// <remarks>
/// Both methods read the body line by line and keep at most <see cref="MaxLineChars"/> of each line (uuencoded lines
/// are 61 characters), so a large body, even one without line breaks, is never held in memory.
/// </remarks>
internal static partial class UuencodedFiles
{
    private const int MaxLineChars = 1024;

    /// <summary>The names of the complete uuencoded blocks in <paramref name="text"/>, in order.</summary>
    public static IReadOnlyList<string> FindNames(Stream text, Encoding encoding)
    {
        var names = new List<string>();
        using var reader = new StreamReader(text, encoding);
        string? pending = null;
        foreach (var line in Lines(reader))
        {
            if (pending is null)
            {
                pending = Begin().Match(line) is { Success: true } begin ? begin.Groups["name"].Value.Trim() : null;
            }
            else if (line.TrimEnd() == "end")
            {
                names.Add(pending);
                pending = null;
            }
        }

        return names;
    }

    /// <summary>Decodes the <paramref name="index"/>-th complete block of <paramref name="text"/> into <paramref name="destination"/>.</summary>
    public static async Task WriteAsync(Stream text, Encoding encoding, int index, Stream destination, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(text, encoding);
        var block = -1;
        var inBlock = false;
        foreach (var line in Lines(reader))
        {
            if (!inBlock)
            {
                inBlock = Begin().IsMatch(line);
                block += inBlock ? 1 : 0;
            }
            else if (line.TrimEnd() == "end")
            {
                if (block == index)
                {
                    return;
                }

                inBlock = false;
            }
            else if (block == index)
            {
                await destination.WriteAsync(DecodeLine(line), cancellationToken);
            }
        }
    }

    private static IEnumerable<string> Lines(StreamReader reader)
    {
        var line = new StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '\n')
                {
                    yield return line.ToString().TrimEnd('\r');
                    line.Clear();
                }
                else if (line.Length < MaxLineChars)
                {
                    line.Append(c);
                }
            }
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    /// <summary>One uuencoded line: a length character, then four characters for every three bytes.</summary>
    private static byte[] DecodeLine(string line)
    {
        if (line.Length == 0)
        {
            return [];
        }

        var length = Sextet(line, 0);
        var bytes = new byte[length];
        for (int written = 0, i = 1; written < length; i += 4)
        {
            int c0 = Sextet(line, i), c1 = Sextet(line, i + 1), c2 = Sextet(line, i + 2), c3 = Sextet(line, i + 3);
            bytes[written++] = (byte)((c0 << 2) | (c1 >> 4));
            if (written < length)
            {
                bytes[written++] = (byte)((c1 << 4) | (c2 >> 2));
            }

            if (written < length)
            {
                bytes[written++] = (byte)((c2 << 6) | c3);
            }
        }

        return bytes;
    }

    // Characters past the end of a line count as spaces (zero), which some encoders strip.
    private static int Sextet(string line, int index) => index < line.Length ? (line[index] - ' ') & 0x3F : 0;

    [GeneratedRegex(@"^begin [0-7]{3,4} (?<name>\S.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Begin();
}
