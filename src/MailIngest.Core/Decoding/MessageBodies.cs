using System.Text;
using MimeKit;

namespace MailIngest.Decoding;

/// <summary>The text and HTML body parts of one message, chosen the way MimeKit's <c>TextBody</c> and <c>HtmlBody</c> choose them.</summary>
internal sealed record MessageBodies(TextPart? Text, TextPart? Html)
{
    /// <summary>No bodies: every part counts as an attachment (the files of a winmail.dat).</summary>
    public static MessageBodies None { get; } = new(null, null);

    public static MessageBodies Find(MimeMessage message) =>
        new(Find(message.Body, "plain"), Find(message.Body, "html"));

    /// <summary>The charset of the text body (else the HTML body): the best hint for mislabelled header bytes.</summary>
    public Encoding? CharsetHint => (Text ?? Html) is { } part ? Charsets.FromContentType(part.ContentType) : null;

    public bool Contains(MimeEntity entity) => ReferenceEquals(entity, Text) || ReferenceEquals(entity, Html);

    private static TextPart? Find(MimeEntity? entity, string subtype) => entity switch
    {
        // The richest alternative comes last, so search backwards.
        MultipartAlternative alternative => alternative.Reverse().Select(child => Find(child, subtype)).FirstOrDefault(part => part is not null),
        MultipartRelated related => Find(related.Root, subtype),
        Multipart multipart => multipart.Select(child => Find(child, subtype)).FirstOrDefault(part => part is not null),
        TextPart text when !text.IsAttachment && text.ContentType.IsMimeType("text", subtype) => text,
        _ => null,
    };
}
