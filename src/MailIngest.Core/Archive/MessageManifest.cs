using System.Text.Json.Serialization;

namespace MailIngest.Archive;

/// <summary>
/// <c>manifest.json</c>, written last: its presence means the message is stored. Field names are a contract
/// with consumers (docs/storage.md, manifest.json): add fields freely, never rename. <c>uidl</c> is the ledger's ID of
/// the message: the POP3 UIDL, or for IMAP <c>{uidValidity}:{uid}@{folder}</c>, with <c>folder</c>, <c>uidValidity</c>
/// and <c>uid</c> beside it.
/// </summary>
internal sealed record MessageManifest(
    int SchemaVersion,
    string Mailbox,
    string Uidl,
    string Key,
    DateTimeOffset IngestedAt,
    string? MessageId,
    string? Subject,
    IReadOnlyList<string> From,
    IReadOnlyList<string> To,
    IReadOnlyList<string> Cc,
    DateTimeOffset? Date,
    StoredRaw Raw,
    IReadOnlyList<StoredBody> Bodies,
    IReadOnlyList<StoredAttachment> Attachments,
    IReadOnlyList<string> Warnings)
{
    public const int CurrentSchemaVersion = 1;

    /// <summary>The <see cref="Decoding.MessageDecoder.Version"/> that gave the bodies, attachments and headers; null in manifests written before it was recorded.</summary>
    public int? DecoderVersion { get; init; }

    /// <summary>When <c>mailingest reprocess</c> last wrote this manifest; null when the run that ingested the message wrote it.</summary>
    public DateTimeOffset? ReprocessedAt { get; init; }

    /// <summary>IMAP: the folder the message was listed in; left out for POP3.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Folder { get; init; }

    /// <summary>IMAP: the folder's UIDVALIDITY when the message was listed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public uint? UidValidity { get; init; }

    /// <summary>IMAP: the message's UID in the folder.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public uint? Uid { get; init; }
}

internal sealed record StoredRaw(string Path, long Size, string Sha256);

/// <summary>A stored body: <c>Charset</c> is always utf-8 (the stored file's), <c>OriginalCharset</c> the message's before conversion.</summary>
internal sealed record StoredBody(string Path, string ContentType, string Charset, string? OriginalCharset, long Size, string Sha256);

internal sealed record StoredAttachment(
    string Path,
    string FileName,
    string ContentType,
    long Size,
    string Sha256,
    bool Inline,
    string? ContentId,
    string Source);

/// <summary>
/// <c>error.json</c> in a message's quarantine folder: why it is there, and what is known of it. A message that could
/// not be decoded has its raw bytes beside it; one that was not fetched (too large) or failed too often has none.
/// </summary>
internal sealed record QuarantineRecord(
    string Mailbox,
    string Uidl,
    string Key,
    DateTimeOffset QuarantinedAt,
    string Error,
    StoredRaw? Raw)
{
    public QuarantineReason Reason { get; init; }

    /// <summary>The size the server listed, for a message without raw bytes here.</summary>
    public long? ListedSize { get; init; }

    /// <summary>How often fetching and storing it failed.</summary>
    public int? Attempts { get; init; }

    /// <summary>Its header block as the server gave it (POP3 <c>TOP n 0</c>), for a message without raw bytes here.</summary>
    public string? Headers { get; init; }

    /// <summary>IMAP, an undecodable message: where it was listed, for the manifest <c>mailingest reprocess</c> writes; left out for POP3.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MessageOrigin? Origin { get; init; }
}

/// <summary>Where an IMAP message was listed: its folder, the folder's UIDVALIDITY and its UID (null for POP3).</summary>
internal sealed record MessageOrigin(string Folder, uint UidValidity, uint Uid)
{
    public static MessageOrigin? Of(string? folder, uint? uidValidity, uint? uid) =>
        folder is not null && uidValidity is { } validity && uid is { } id ? new MessageOrigin(folder, validity, id) : null;

    public static MessageOrigin? Of(Sources.ListedMessage message) => Of(message.Folder, message.UidValidity, message.Uid);
}

/// <summary>Why a message is in quarantine; serialized in camelCase.</summary>
internal enum QuarantineReason
{
    /// <summary>Its raw bytes are kept, but they could not be decoded (or exceed a decoder limit).</summary>
    Undecodable,

    /// <summary>Larger than the mailbox's MaxMessageSize by the server's listing: not fetched.</summary>
    TooLarge,

    /// <summary>Fetching and storing it failed MaxAttempts times by its own fault (the run died handling it, the server refused it).</summary>
    Unprocessable,
}
