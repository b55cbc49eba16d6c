namespace MailIngest.Archive;

/// <summary>
/// <c>manifest.json</c>, written last: its presence means the message is stored. Field names are a contract
/// with consumers (DESIGN.md): add fields freely, never rename.
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

/// <summary><c>error.json</c> beside a quarantined message: why it could not be decoded.</summary>
internal sealed record QuarantineRecord(
    string Mailbox,
    string Uidl,
    string Key,
    DateTimeOffset QuarantinedAt,
    string Error,
    StoredRaw Raw);
