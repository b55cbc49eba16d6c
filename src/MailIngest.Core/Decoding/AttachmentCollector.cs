using System.Text;
using MimeKit;
using MimeKit.Tnef;

namespace MailIngest.Decoding;

/// <summary>
/// Walks a parsed message and lists every part that is not one of its bodies as an attachment: files, inline images,
/// attached messages (and, recursively, their own attachments), and the files inside Outlook winmail.dat parts.
/// </summary>
/// <remarks>Enforces <see cref="DecoderLimits.MaxDepth"/> and <see cref="DecoderLimits.MaxParts"/>; a part that cannot be read is skipped with a warning.</remarks>
internal sealed class AttachmentCollector(DecoderLimits limits)
{
    private const string TnefBodyName = "body.rtf";
    private const string AttachedMessageName = "attached-message.eml";

    private readonly List<DecodedAttachment> _attachments = [];
    private readonly List<string> _warnings = [];
    private int _parts;

    public IReadOnlyList<DecodedAttachment> Attachments => _attachments;

    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Collects the attachments of a message whose bodies are <paramref name="bodies"/>; its body part sits at <paramref name="depth"/>.</summary>
    public void AddMessage(MimeMessage message, MessageBodies bodies, int depth, AttachmentSource source)
    {
        if (message.Body is { } body)
        {
            Visit(body, bodies, depth, source);
        }
    }

    /// <summary>Lists the files uuencoded into a text body, which old clients used instead of MIME attachments.</summary>
    public void AddUuencodedFiles(TextPart body, Encoding encoding)
    {
        if (!Charsets.IsAsciiCompatible(encoding))
        {
            return;
        }

        IReadOnlyList<string> names;
        using (var text = TextBodies.OpenDecoded(body))
        {
            names = UuencodedFiles.FindNames(text, encoding);
        }

        for (var index = 0; index < names.Count; index++)
        {
            CountPart();
            var block = index;
            Add(names[index], part: null, AttachmentSource.Mime, (destination, cancellationToken) =>
                UuencodedFiles.WriteAsync(TextBodies.OpenDecoded(body), encoding, block, destination, cancellationToken));
        }
    }

    private void Visit(MimeEntity entity, MessageBodies bodies, int depth, AttachmentSource source)
    {
        if (depth > limits.MaxDepth)
        {
            throw new MessageDecodingException($"The MIME structure is nested more than {limits.MaxDepth} levels deep (DecoderLimits.MaxDepth).");
        }

        CountPart();
        switch (entity)
        {
            case Multipart multipart:
                foreach (var child in multipart)
                {
                    Visit(child, bodies, depth + 1, source);
                }

                break;
            case MessagePart messagePart:
                Guarded(messagePart, () => AddAttachedMessage(messagePart, depth, source));
                break;
            case TnefPart tnef:
                AddTnef(tnef, depth, source);
                break;
            case MimePart part when !bodies.Contains(part):
                Guarded(part, () => AddPart(part, source));
                break;
        }
    }

    /// <summary>Runs <paramref name="add"/>, turning a failure into a warning: one unreadable part must not cost the message its other parts.</summary>
    private void Guarded(MimeEntity entity, Action add)
    {
        try
        {
            add();
        }
        // Hostile input may break MimeKit in ways no list of exception types foresees; limits still propagate.
        catch (Exception ex) when (ex is not MessageDecodingException)
        {
            _warnings.Add($"Skipped a {entity.ContentType.MimeType} part that could not be read: {ex.Message}");
        }
    }

    private void AddAttachedMessage(MessagePart messagePart, int depth, AttachmentSource source)
    {
        var message = messagePart.Message;
        var fileName = messagePart.ContentDisposition?.FileName
            ?? messagePart.ContentType.Name
            ?? NameFromSubject(message)
            ?? AttachedMessageName;
        Add(fileName, messagePart, source, (destination, cancellationToken) =>
            message is null ? Task.CompletedTask : message.WriteToAsync(destination, cancellationToken));

        if (message is not null)
        {
            // The attached message's own bodies travel inside its .eml; only its attachments are listed.
            AddMessage(message, MessageBodies.Find(message), depth + 1, AttachmentSource.Rfc822);
        }
    }

    private static string? NameFromSubject(MimeMessage? message)
    {
        if (message is null)
        {
            return null;
        }

        var subject = new HeaderTextDecoder(MessageBodies.Find(message).CharsetHint).DecodeText(message.Headers, HeaderId.Subject);
        // A subject is no path: "Re: invoice 2024/03" must not shrink to "03" the way a sender's path-like name would.
        return string.IsNullOrWhiteSpace(subject) ? null : subject.Replace('/', '_').Replace('\\', '_') + ".eml";
    }

    private void AddTnef(TnefPart tnef, int depth, AttachmentSource source)
    {
        List<MimeEntity> files;
        try
        {
            files = [.. tnef.ExtractAttachments()];
        }
        // A corrupt winmail.dat is hostile input: whatever it throws, the part is kept as it is.
        catch (Exception ex)
        {
            _warnings.Add($"Could not extract the files of TNEF part '{tnef.FileName ?? "winmail.dat"}' ({ex.Message}); stored it as it is.");
            AddPart(tnef, source);
            return;
        }

        if (files.Count == 0)
        {
            _warnings.Add($"TNEF part '{tnef.FileName ?? "winmail.dat"}' held no files; stored it as it is.");
            AddPart(tnef, source);
            return;
        }

        foreach (var file in files)
        {
            Visit(file, MessageBodies.None, depth + 1, AttachmentSource.Tnef);
        }
    }

    private void AddPart(MimePart part, AttachmentSource source)
    {
        var fileName = string.IsNullOrWhiteSpace(part.FileName) ? GeneratedName(part, source) : part.FileName;
        Add(fileName, part, source, (destination, cancellationToken) =>
            part.Content is null ? Task.CompletedTask : part.Content.DecodeToAsync(destination, cancellationToken));
    }

    /// <summary>An attachment, described by its MIME <paramref name="part"/>; a file without one (uuencoded in a body) by its name alone.</summary>
    private void Add(string fileName, MimeEntity? part, AttachmentSource source, Func<Stream, CancellationToken, Task> writeToAsync)
    {
        var path = SafeFileName.ForAttachment(_attachments.Count + 1, fileName);
        var (contentType, inline) = part is null ? (MimeTypes.GetMimeType(fileName), false) : (MimeType(part), IsInline(part));
        _attachments.Add(new DecodedAttachment(path, fileName, contentType, inline, part?.ContentId, source, writeToAsync));
    }

    private static string GeneratedName(MimePart part, AttachmentSource source)
    {
        // MimeKit hands a winmail.dat's message body out as an unnamed RTF part; Outlook calls it body.rtf.
        if (source == AttachmentSource.Tnef && part.ContentType.IsMimeType("text", "rtf"))
        {
            return TnefBodyName;
        }

        if (MimeTypes.TryGetExtension(part.ContentType.MimeType, out var extension))
        {
            return "part" + extension;
        }

        // Reports such as message/delivery-status and text/rfc822-headers are text that MimeTypes has no extension for.
        var isText = part.ContentType.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase)
            || part.ContentType.MediaType.Equals("message", StringComparison.OrdinalIgnoreCase);
        return isText ? "part.txt" : "part.bin";
    }

    /// <summary>The MIME type in lower case, the way manifests and HTTP headers conventionally spell it.</summary>
    private static string MimeType(MimeEntity entity) => entity.ContentType.MimeType.ToLowerInvariant();

    /// <summary>Inline by disposition, or, without one, referenced by Content-ID (an image in an HTML body).</summary>
    private static bool IsInline(MimeEntity entity) =>
        entity.ContentDisposition is { } disposition
            ? disposition.Disposition.Equals(ContentDisposition.Inline, StringComparison.OrdinalIgnoreCase)
            : !string.IsNullOrEmpty(entity.ContentId);

    private void CountPart()
    {
        if (++_parts > limits.MaxParts)
        {
            throw new MessageDecodingException($"The message has more than {limits.MaxParts} parts (DecoderLimits.MaxParts).");
        }
    }
}
