using MimeKit;

namespace MailIngest.Decoding;

/// <summary>A message parsed from its raw file, with everything the archive stores besides the raw bytes.</summary>
/// <remarks>
/// Owns the parsed <see cref="MimeMessage"/>. MessageDecoder parses with MimeKit's <c>persistent</c> option, so the parts
/// read their content from the stream the message was parsed from (the spool file): keep it open until this is disposed.
/// </remarks>
internal sealed class DecodedMessage(MimeMessage message) : IDisposable
{
    public required MessageHeaders Headers { get; init; }

    /// <summary>The date the storage folder is named after: the Date header, else the first Received date, else none ("undated").</summary>
    public required DateTimeOffset? FolderDate { get; init; }

    public required IReadOnlyList<DecodedBody> Bodies { get; init; }

    public required IReadOnlyList<DecodedAttachment> Attachments { get; init; }

    /// <summary>Problems met while decoding that did not stop the message from being stored.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    public void Dispose() => message.Dispose();
}

/// <summary>The headers a manifest carries, decoded to readable text.</summary>
internal sealed record MessageHeaders(
    string? MessageId,
    string? Subject,
    IReadOnlyList<string> From,
    IReadOnlyList<string> To,
    IReadOnlyList<string> Cc,
    DateTimeOffset? Date);

/// <summary>A text or HTML body, written out as UTF-8 whatever charset the message used.</summary>
/// <param name="Path">Stored name relative to the message folder: <c>body.txt</c> or <c>body.html</c>.</param>
/// <param name="ContentType">The MIME type, <c>text/plain</c> or <c>text/html</c>.</param>
/// <param name="OriginalCharset">The charset the message declared (or the one detected), before conversion to UTF-8.</param>
/// <param name="WriteToAsync">Writes the UTF-8 text to a stream without holding the whole body in memory where possible.</param>
internal sealed record DecodedBody(
    string Path,
    string ContentType,
    string? OriginalCharset,
    Func<Stream, CancellationToken, Task> WriteToAsync);

/// <summary>An attachment or inline part, with its decoded original name and its safe stored name.</summary>
/// <param name="Path">Stored name relative to the message folder: <c>attachments/{nn}-{safe name}</c>.</param>
/// <param name="FileName">The decoded original file name (or a generated one when the part has none).</param>
/// <param name="ContentType">The MIME type the part declared, e.g. <c>application/pdf</c>.</param>
/// <param name="Inline">Whether the part is shown within the body (an image an HTML body references) rather than offered as a file.</param>
/// <param name="ContentId">The Content-ID without angle brackets, by which an HTML body references the part; null when it has none.</param>
/// <param name="Source">Whether the part is the message's own, a file inside a winmail.dat, or a part of an attached message.</param>
/// <param name="WriteToAsync">Writes the decoded content (transfer encoding removed) to a stream.</param>
internal sealed record DecodedAttachment(
    string Path,
    string FileName,
    string ContentType,
    bool Inline,
    string? ContentId,
    AttachmentSource Source,
    Func<Stream, CancellationToken, Task> WriteToAsync);

/// <summary>Where an attachment came from; serialized in the manifest as <c>mime</c>, <c>tnef</c> or <c>rfc822</c>.</summary>
internal enum AttachmentSource
{
    /// <summary>A MIME part of the message itself.</summary>
    Mime,

    /// <summary>A file inside an Outlook winmail.dat (application/ms-tnef) part.</summary>
    Tnef,

    /// <summary>A part of an attached message (message/rfc822), at any depth.</summary>
    Rfc822,
}
