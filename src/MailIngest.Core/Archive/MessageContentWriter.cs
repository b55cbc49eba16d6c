using MailIngest.Decoding;
using MailIngest.IO;

namespace MailIngest.Archive;

/// <summary>
/// Writes what decoding gives for a message into the folder of its raw bytes, which are stored already: its bodies and
/// attachments, then <c>manifest.json</c> last, whose presence means "stored" (docs/storage.md). The one writer of a
/// message's contents, for the run (<see cref="MessageArchiver"/>) and for <c>mailingest reprocess</c>.
/// </summary>
internal sealed class MessageContentWriter(IMailArchive archive)
{
    private const string RawContentType = "message/rfc822";

    /// <summary>What the store keeps beside a message's raw bytes, for consumers to filter on.</summary>
    public static ArchiveObjectInfo RawInfo(string mailbox, string uidl, string? messageId) =>
        new(RawContentType, ArchiveObjectKind.Raw, mailbox) { Uidl = uidl, MessageId = messageId };

    /// <summary>Writes every body and attachment of <paramref name="decoded"/> into <paramref name="folder"/>, then its manifest.</summary>
    public Task<MessageManifest> WriteAsync(string folder, MessageFacts facts, DecodedMessage decoded, CancellationToken cancellationToken) =>
        WriteAsync(folder, facts, decoded, ContentRewrite.None, cancellationToken);

    /// <summary>Writes the bodies and attachments of <paramref name="decoded"/> that are not in place, then its manifest.</summary>
    /// <param name="folder">The message's folder, holding its raw bytes.</param>
    /// <param name="facts">What the manifest says besides what decoding gives.</param>
    /// <param name="decoded">The message, decoded from the raw bytes in <paramref name="folder"/>.</param>
    /// <param name="rewrite">Which objects are in place already, and who is told of each one written.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    public async Task<MessageManifest> WriteAsync(
        string folder, MessageFacts facts, DecodedMessage decoded, ContentRewrite rewrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(rewrite);
        var (inPlace, written) = rewrite;
        var manifest = await DescribeAsync(facts, decoded, async (path, info, writeContent, ct) =>
        {
            if (inPlace(path) is { } kept)
            {
                return kept;
            }

            var content = await WriteHashedAsync($"{folder}/{path}", info, writeContent, ct);
            written(path);
            return content;
        }, cancellationToken);
        await ArchiveJson.WriteAsync(
            archive,
            $"{folder}/{ArchiveLayout.ManifestName}",
            manifest,
            ArchiveJson.Readable.MessageManifest,
            RawInfo(facts.Mailbox, facts.Uidl, decoded.Headers.MessageId) with { Kind = ArchiveObjectKind.Manifest },
            WriteCondition.None,
            cancellationToken);
        return manifest;
    }

    /// <summary>The manifest <see cref="WriteAsync(string, MessageFacts, DecodedMessage, CancellationToken)"/> would write, with every object decoded and hashed, and nothing written.</summary>
    public static Task<MessageManifest> MeasureAsync(MessageFacts facts, DecodedMessage decoded, CancellationToken cancellationToken) =>
        DescribeAsync(facts, decoded, (_, _, writeContent, ct) => HashAsync(Stream.Null, writeContent, ct), cancellationToken);

    /// <summary>Builds the manifest, handing each body and attachment to <paramref name="put"/>, which stores or measures it.</summary>
    private static async Task<MessageManifest> DescribeAsync(
        MessageFacts facts,
        DecodedMessage decoded,
        Func<string, ArchiveObjectInfo, Func<Stream, CancellationToken, Task>, CancellationToken, Task<StoredContent>> put,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(decoded);
        var headers = decoded.Headers;
        var about = RawInfo(facts.Mailbox, facts.Uidl, headers.MessageId);

        var bodies = new List<StoredBody>(decoded.Bodies.Count);
        foreach (var body in decoded.Bodies)
        {
            var info = about with { ContentType = $"{body.ContentType}; charset=utf-8", Kind = ArchiveObjectKind.Body };
            var (size, sha) = await put(body.Path, info, body.WriteToAsync, cancellationToken);
            bodies.Add(new StoredBody(body.Path, body.ContentType, "utf-8", body.OriginalCharset, size, sha));
        }

        var attachments = new List<StoredAttachment>(decoded.Attachments.Count);
        foreach (var attachment in decoded.Attachments)
        {
            var info = about with { ContentType = attachment.ContentType, Kind = ArchiveObjectKind.Attachment };
            var (size, sha) = await put(attachment.Path, info, attachment.WriteToAsync, cancellationToken);
            attachments.Add(new StoredAttachment(
                attachment.Path,
                attachment.FileName,
                attachment.ContentType,
                size,
                sha,
                attachment.Inline,
                attachment.ContentId,
                attachment.Source.ToString().ToLowerInvariant()));
        }

        return new MessageManifest(
            MessageManifest.CurrentSchemaVersion,
            facts.Mailbox,
            facts.Uidl,
            facts.Key,
            facts.IngestedAt,
            headers.MessageId,
            headers.Subject,
            headers.From,
            headers.To,
            headers.Cc,
            headers.Date,
            facts.Raw,
            bodies,
            attachments,
            [.. facts.RetrievalWarnings, .. decoded.Warnings])
        {
            DecoderVersion = MessageDecoder.Version,
            ReprocessedAt = facts.ReprocessedAt,
            Folder = facts.Origin?.Folder,
            UidValidity = facts.Origin?.UidValidity,
            Uid = facts.Origin?.Uid,
        };
    }

    private async Task<StoredContent> WriteHashedAsync(
        string path, ArchiveObjectInfo info, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken)
    {
        StoredContent content = default;
        await archive.WriteAsync(path, info, async (stream, ct) => content = await HashAsync(stream, writeContent, ct), WriteCondition.None, cancellationToken);
        return content;
    }

    private static async Task<StoredContent> HashAsync(Stream destination, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken)
    {
        using var hashing = new HashingStream(destination);
        await writeContent(hashing, cancellationToken);
        return new StoredContent(hashing.BytesWritten, hashing.FinishHash());
    }
}

/// <summary>What a manifest says of a message besides what decoding gives.</summary>
/// <param name="Mailbox">The mailbox it came from.</param>
/// <param name="Uidl">Its ID on the server.</param>
/// <param name="Key">Its key in the archive.</param>
/// <param name="IngestedAt">When it was first stored (or quarantined).</param>
/// <param name="Raw">Its raw bytes in the folder.</param>
/// <param name="RetrievalWarnings">What its retrieval noticed (a short RETR, a duplicate or reused ID); they lead the manifest's warnings.</param>
internal sealed record MessageFacts(
    string Mailbox, string Uidl, string Key, DateTimeOffset IngestedAt, StoredRaw Raw, IReadOnlyList<string> RetrievalWarnings)
{
    /// <summary>When <c>mailingest reprocess</c> writes the manifest; null for the run.</summary>
    public DateTimeOffset? ReprocessedAt { get; init; }

    /// <summary>IMAP: where the message was listed, kept through a reprocess; null for POP3.</summary>
    public MessageOrigin? Origin { get; init; }
}

/// <summary>An object's size and SHA-256, as a manifest names them.</summary>
internal readonly record struct StoredContent(long Size, string Sha256);

/// <summary>How <see cref="MessageContentWriter"/> treats a folder that may hold a message's objects already (<c>mailingest reprocess</c>).</summary>
/// <param name="InPlace">
/// For an object's path in the folder, its size and SHA-256 when it is there already with the content decoding gives (it
/// is then not written again); null when it must be written.
/// </param>
/// <param name="Written">Told each path written, before the next; the manifest comes after the last.</param>
internal sealed record ContentRewrite(Func<string, StoredContent?> InPlace, Action<string> Written)
{
    /// <summary>A folder holding only the raw bytes: every object is written, and nobody is told.</summary>
    public static ContentRewrite None { get; } = new(_ => null, _ => { });
}
