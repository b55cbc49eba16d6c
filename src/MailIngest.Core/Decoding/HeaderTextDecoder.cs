using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Utils;

namespace MailIngest.Decoding;

/// <summary>
/// Decodes header values to readable text, repairing the charset labels old mailers get wrong:
/// encoded words that claim Latin-1 or ASCII while holding another charset's bytes, and raw 8-bit text.
/// </summary>
/// <remarks>
/// The repair rewrites the raw bytes (relabels encoded words, transcodes raw 8-bit text to UTF-8) and then lets
/// MimeKit do the parsing, so address syntax and RFC 2047 rules stay MimeKit's.
/// </remarks>
internal sealed partial class HeaderTextDecoder
{
    private readonly ParserOptions _options;
    private readonly (Encoding Strict, string Label)[] _candidates;

    /// <param name="bodyEncoding">The charset of the message's text body, the best hint for unlabelled or mislabelled header bytes.</param>
    /// <param name="options">The parser options the message was parsed with; MimeKit's defaults when null.</param>
    public HeaderTextDecoder(Encoding? bodyEncoding, ParserOptions? options = null)
    {
        Charsets.EnsureRegistered();
        _options = options ?? ParserOptions.Default;

        // UTF-8 goes first: valid UTF-8 is strong evidence, whereas a single-byte charset decodes any bytes "without error".
        _candidates = bodyEncoding is not null && bodyEncoding.CodePage != Encoding.UTF8.CodePage && Charsets.IsAsciiCompatible(bodyEncoding)
            ? [(Charsets.StrictUtf8, "utf-8"), (Charsets.Strict(bodyEncoding), bodyEncoding.WebName)]
            : [(Charsets.StrictUtf8, "utf-8")];
    }

    /// <summary>Decodes the first <paramref name="id"/> header as unstructured text (a Subject); null when there is none.</summary>
    public string? DecodeText(HeaderList headers, HeaderId id) =>
        headers.FirstOrDefault(header => header.Id == id) is { } found
            ? Header.Unfold(Rfc2047.DecodeText(_options, Repair(found.RawValue))).Trim()
            : null;

    /// <summary>Decodes every <paramref name="id"/> header as addresses (From, To, Cc): display strings like <c>Name &lt;addr&gt;</c>, group members included.</summary>
    public IReadOnlyList<string> DecodeAddresses(HeaderList headers, HeaderId id)
    {
        var result = new List<string>();
        foreach (var header in headers.Where(header => header.Id == id))
        {
            var repaired = Repair(header.RawValue);
            if (InternetAddressList.TryParse(_options, repaired, out var list))
            {
                result.AddRange(list.Mailboxes.Select(Format));
            }
            else if (Header.Unfold(Rfc2047.DecodeText(_options, repaired)).Trim() is { Length: > 0 } text)
            {
                // Keep what the sender wrote even when it is not a valid address list.
                result.Add(text);
            }
        }

        return result;
    }

    private static string Format(MailboxAddress mailbox) =>
        string.IsNullOrWhiteSpace(mailbox.Name) ? mailbox.Address : $"{mailbox.Name.Trim()} <{mailbox.Address}>";

    private byte[] Repair(byte[] raw)
    {
        var bytes = raw.AsSpan().ContainsAnyInRange((byte)0x80, (byte)0xFF)
            ? Charsets.Utf8.GetBytes(DecodeRaw8Bit(raw))
            : raw;

        // Latin-1 maps every byte to the char of the same value, so the regex can work on bytes as text.
        var text = Encoding.Latin1.GetString(bytes);
        var relabelled = EncodedWord().Replace(text, Relabel);
        return ReferenceEquals(text, relabelled) ? bytes : Encoding.Latin1.GetBytes(relabelled);
    }

    private string DecodeRaw8Bit(byte[] raw)
    {
        foreach (var (strict, _) in _candidates)
        {
            if (Charsets.TryDecode(strict, raw, out var text))
            {
                return text;
            }
        }

        return Charsets.Windows1252.GetString(raw);
    }

    private string Relabel(Match word)
    {
        if (!Charsets.IsLatin1OrAsciiLabel(word.Groups["charset"].Value))
        {
            return word.Value;
        }

        var encoding = word.Groups["encoding"].Value;
        var payload = word.Groups["text"].Value;
        var bytes = DecodePayload(encoding, payload);
        if (bytes is null || !bytes.AsSpan().ContainsAnyInRange((byte)0x80, (byte)0xFF))
        {
            return word.Value;
        }

        foreach (var (strict, label) in _candidates)
        {
            if (Charsets.TryDecode(strict, bytes, out _))
            {
                return $"=?{label}?{encoding}?{payload}?=";
            }
        }

        return word.Value;
    }

    /// <summary>The bytes an encoded word's payload stands for, or null when the payload is malformed.</summary>
    private static byte[]? DecodePayload(string encoding, string payload)
    {
        if (encoding is "B" or "b")
        {
            var padded = payload.PadRight((payload.Length + 3) / 4 * 4, '=');
            var buffer = new byte[padded.Length];
            return Convert.TryFromBase64String(padded, buffer, out var written) ? buffer[..written] : null;
        }

        var bytes = new List<byte>(payload.Length);
        for (var i = 0; i < payload.Length; i++)
        {
            if (payload[i] == '=' && i + 2 < payload.Length && byte.TryParse(payload.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber, null, out var value))
            {
                bytes.Add(value);
                i += 2;
            }
            else
            {
                bytes.Add(payload[i] == '_' ? (byte)' ' : (byte)payload[i]);
            }
        }

        return [.. bytes];
    }

    [GeneratedRegex(@"=\?(?<charset>[^?*\s]+)(?:\*[^?\s]*)?\?(?<encoding>[QqBb])\?(?<text>[^?\s]*)\?=", RegexOptions.CultureInvariant)]
    private static partial Regex EncodedWord();
}
