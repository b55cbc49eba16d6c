using MailIngest.Archive;

namespace MailIngest.Events;

/// <summary>The facts an event states, taken from what the archiver wrote: the manifest, or the quarantine record.</summary>
internal static class EventFacts
{
    /// <summary>The event about a message just stored or quarantined.</summary>
    public static MessageEventFacts Of(string mailbox, string id, StoredMessage stored, DateTimeOffset now)
    {
        if (stored.Manifest is { } manifest)
        {
            return OfManifest(MessageEventType.Stored, stored.Folder, manifest, manifest.IngestedAt);
        }

        var record = stored.Record;
        return new MessageEventFacts(
            stored.Quarantined ? MessageEventType.Quarantined : MessageEventType.Stored,
            mailbox,
            stored.Key,
            id,
            $"{stored.Folder}/{(stored.Quarantined ? ArchiveLayout.ErrorName : ArchiveLayout.ManifestName)}",
            $"{stored.Folder}/{ArchiveLayout.RawName}",
            record?.QuarantinedAt ?? now)
        {
            Size = stored.Size,
            Reason = record is null ? null : Reason(record.Reason),
            Error = record?.Error,
        };
    }

    /// <summary>The event about a stored message, from its manifest: stored, or reprocessed at <paramref name="time"/>.</summary>
    public static MessageEventFacts OfManifest(MessageEventType type, string folder, MessageManifest manifest, DateTimeOffset time) =>
        new(type, manifest.Mailbox, manifest.Key, manifest.Uidl, $"{folder}/{ArchiveLayout.ManifestName}", $"{folder}/{manifest.Raw.Path}", time)
        {
            MessageId = manifest.MessageId,
            Subject = manifest.Subject,
            From = manifest.From,
            To = manifest.To,
            Cc = manifest.Cc,
            Date = manifest.Date,
            Size = manifest.Raw.Size,
            Attachments = [.. manifest.Attachments.Select(a => new EventAttachment(a.FileName, a.Size, a.ContentType, a.Path))],
        };

    /// <summary>The event about a message recorded in quarantine without its bytes (too large, or out of attempts).</summary>
    public static MessageEventFacts Unfetched(string mailbox, string id, string key, UnfetchedMessage message, DateTimeOffset now) =>
        new(MessageEventType.Quarantined, mailbox, key, id, $"{ArchiveLayout.QuarantineFolder(mailbox, key)}/{ArchiveLayout.ErrorName}", Raw: null, now)
        {
            Size = message.ListedSize,
            Reason = Reason(message.Reason),
            Error = message.Error,
        };

    private static string Reason(QuarantineReason reason) => reason switch
    {
        QuarantineReason.TooLarge => "tooLarge",
        QuarantineReason.Unprocessable => "unprocessable",
        _ => "undecodable",
    };
}
