using MimeKit;
using MimeKit.Utils;

namespace MailIngest.Decoding;

/// <summary>Decodes a raw message into the headers, bodies and attachments the archive stores.</summary>
internal sealed class MessageDecoder
{
    /// <summary>
    /// The version of what decoding gives, recorded in every manifest (<c>decoderVersion</c>). Bump it with any change to
    /// Decoding/ that changes what is stored for some message (a body, an attachment, a stored name, a header, a warning),
    /// so that a manifest tells which rules made it. An explicit number rather than the build's version: a new build that
    /// decodes alike must not make <c>mailingest reprocess</c> rewrite every manifest (docs/reprocess.md).
    /// </summary>
    public const int Version = 1;

    private const string TextBodyPath = "body.txt";
    private const string HtmlBodyPath = "body.html";

    private readonly DecoderLimits _limits;

    /// <summary>
    /// Made for the first message: MimeKit's options build its table of charsets, probing every code page, which takes
    /// milliseconds that a poll finding no new mail should not spend (bench/README.md).
    /// </summary>
    private readonly Lazy<ParserOptions> _parserOptions;

    /// <remarks>
    /// The code pages are still registered when the decoder is made, at start, before any session: MimeKit learns the
    /// charsets it can decode when it is first used, by whatever uses it first.
    /// </remarks>
    static MessageDecoder() => Charsets.EnsureRegistered();

    public MessageDecoder(DecoderLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limits.MaxParts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limits.MaxDepth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limits.MaxHeaderBytes);
        _limits = limits;
        _parserOptions = new Lazy<ParserOptions>(() => ParserOptionsFor(limits));
    }

    /// <summary>Decodes the message in <paramref name="raw"/>, a seekable stream of its exact bytes.</summary>
    /// <remarks>
    /// Parts stay on <paramref name="raw"/> rather than in memory: keep it open until the result is disposed.
    /// I/O errors on <paramref name="raw"/> propagate as they are, since they are not the message's fault.
    /// </remarks>
    /// <exception cref="MessageDecodingException">The message cannot be parsed at all, or exceeds a <see cref="DecoderLimits"/> limit.</exception>
    public DecodedMessage Decode(Stream raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (!raw.CanSeek)
        {
            throw new ArgumentException("The raw message stream must be seekable: decoded parts are read from it later.", nameof(raw));
        }

        var message = Parse(raw);
        try
        {
            return Decode(message);
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    private DecodedMessage Decode(MimeMessage message)
    {
        try
        {
            var bodies = MessageBodies.Find(message);
            var headers = ReadHeaders(message, new HeaderTextDecoder(bodies.CharsetHint, _parserOptions.Value));
            var folderDate = (headers.Date ?? FirstReceivedDate(message.Headers))?.ToUniversalTime();

            var collector = new AttachmentCollector(_limits);
            collector.AddMessage(message, bodies, depth: 1, AttachmentSource.Mime);

            // A message without a body part still gets an empty one from MimeKit; there is nothing to store for it.
            var decodedBodies = new List<DecodedBody>(2);
            if (bodies.Text is { } text && HasContent(text))
            {
                var resolved = TextBodies.ResolveEncoding(text);
                decodedBodies.Add(TextBodies.Create(text, TextBodyPath, "text/plain", resolved));
                collector.AddUuencodedFiles(text, resolved.Encoding);
            }

            if (bodies.Html is { } html && HasContent(html))
            {
                decodedBodies.Add(TextBodies.Create(html, HtmlBodyPath, "text/html", TextBodies.ResolveEncoding(html)));
            }

            return new DecodedMessage(message)
            {
                Headers = headers,
                FolderDate = folderDate,
                Bodies = decodedBodies,
                Attachments = collector.Attachments,
                Warnings = collector.Warnings,
            };
        }
        catch (Exception ex) when (ex is not (MessageDecodingException or IOException))
        {
            throw new MessageDecodingException($"The message could not be decoded: {ex.Message}", ex);
        }
    }

    private static ParserOptions ParserOptionsFor(DecoderLimits limits)
    {
        // One level more than allowed, so that a message just over the limit is seen (and refused) rather than
        // flattened by MimeKit, which turns anything deeper than MaxMimeDepth into a leaf part.
        var options = ParserOptions.Default.Clone();
        options.MaxMimeDepth = limits.MaxDepth + 1;
        return options;
    }

    private static bool HasContent(MimePart part) => part.Content is { Stream.Length: > 0 };

    private MimeMessage Parse(Stream raw)
    {
        var parser = new MimeParser(_parserOptions.Value, raw, MimeFormat.Entity, persistent: true);

        // Checked as the parser goes, so a hostile message is refused before it has filled memory with headers or parts.
        var entities = 0;
        parser.MimeMessageBegin += (_, e) => CheckHeaderSize(e.Message.Headers);
        parser.MimeEntityBegin += (_, e) =>
        {
            if (++entities > _limits.MaxParts)
            {
                throw new MessageDecodingException($"The message has more than {_limits.MaxParts} parts (DecoderLimits.MaxParts).");
            }

            CheckHeaderSize(e.Entity.Headers);
        };

        try
        {
            return parser.ParseMessage();
        }
        catch (Exception ex) when (ex is not (MessageDecodingException or IOException))
        {
            throw new MessageDecodingException($"The message could not be parsed: {ex.Message}", ex);
        }
    }

    private void CheckHeaderSize(HeaderList headers)
    {
        long size = 0;
        foreach (var header in headers)
        {
            size += header.RawField.Length + 1 + header.RawValue.Length;
        }

        if (size > _limits.MaxHeaderBytes)
        {
            throw new MessageDecodingException($"A header block is {size} bytes, more than {_limits.MaxHeaderBytes} (DecoderLimits.MaxHeaderBytes).");
        }
    }

    private static MessageHeaders ReadHeaders(MimeMessage message, HeaderTextDecoder decoder) => new(
        MessageId: string.IsNullOrWhiteSpace(message.MessageId) ? null : message.MessageId,
        Subject: decoder.DecodeText(message.Headers, HeaderId.Subject),
        From: decoder.DecodeAddresses(message.Headers, HeaderId.From),
        To: decoder.DecodeAddresses(message.Headers, HeaderId.To),
        Cc: decoder.DecodeAddresses(message.Headers, HeaderId.Cc),
        Date: ParseDate(message.Headers.FirstOrDefault(header => header.Id == HeaderId.Date)?.Value));

    /// <summary>The date of the topmost Received header: when the last server took the message in.</summary>
    private static DateTimeOffset? FirstReceivedDate(HeaderList headers)
    {
        var received = headers.FirstOrDefault(header => header.Id == HeaderId.Received)?.Value;
        var semicolon = received?.LastIndexOf(';') ?? -1;
        return semicolon < 0 ? null : ParseDate(received![(semicolon + 1)..]);
    }

    private static DateTimeOffset? ParseDate(string? text) =>
        text is not null && DateUtils.TryParse(text, out var date) ? date : null;
}
