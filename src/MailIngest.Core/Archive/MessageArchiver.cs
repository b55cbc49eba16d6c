using System.Text.Json;
using MailIngest.Decoding;
using MailIngest.Ingestion;
using MailIngest.IO;
using Microsoft.Extensions.Logging;

namespace MailIngest.Archive;

/// <summary>
/// Stores one retrieved message: raw bytes first, then bodies and attachments, the manifest last (its presence means
/// "stored"). Object names depend only on mailbox and UIDL, so storing the same message again rewrites, never doubles.
/// </summary>
internal sealed class MessageArchiver(
    IMailArchive archive,
    MessageDecoder decoder,
    IIngestObserver observer,
    TimeProvider time,
    ILogger<MessageArchiver> logger)
{
    private const string RawContentType = "message/rfc822";

    public Task<StoredMessage> StoreAsync(string mailbox, string uidl, RawMessage raw, CancellationToken cancellationToken) =>
        StoreAsync(mailbox, uidl, raw, [], cancellationToken);

    /// <summary>Stores a message with what its retrieval noticed (a short RETR, a duplicate UIDL), which lead the manifest's warnings.</summary>
    public async Task<StoredMessage> StoreAsync(
        string mailbox, string uidl, RawMessage raw, IReadOnlyList<string> retrievalWarnings, CancellationToken cancellationToken)
    {
        var key = ArchiveLayout.MessageKey(mailbox, uidl);
        DecodedMessage decoded;
        try
        {
            decoded = decoder.Decode(raw.Content);
        }
        catch (MessageDecodingException e)
        {
            return await QuarantineAsync(mailbox, uidl, key, raw, e, cancellationToken);
        }

        using (decoded)
        {
            var about = new ArchiveObjectInfo(RawContentType, ArchiveObjectKind.Raw, mailbox) { Uidl = uidl, MessageId = decoded.Headers.MessageId };
            List<string> warnings = [.. retrievalWarnings, .. decoded.Warnings];
            var folder = ArchiveLayout.MessageFolder(mailbox, decoded.FolderDate, key);

            // Nearly every message is new, so the raw bytes are written on condition that the folder holds none yet, which
            // spares a blob store a request per message; only when it does is the stored manifest read.
            if (!await WriteRawAsync(folder, raw, about, WriteCondition.MustNotExist, cancellationToken))
            {
                // Stored before (a run that died before its ledger write) or, with other bytes, a UIDL the server reused.
                var storedSha = await ReadStoredRawShaAsync(folder, cancellationToken);
                if (storedSha is not null && storedSha != raw.Sha256)
                {
                    key = ArchiveLayout.ReusedUidlKey(key, raw.Sha256);
                    folder = ArchiveLayout.MessageFolder(mailbox, decoded.FolderDate, key);
                    warnings.Add($"The server reused UIDL '{uidl}' for a different message; this one is stored under key {key}.");
                    Log.UidlReused(logger, mailbox, uidl, key);
                }

                await WriteRawAsync(folder, raw, about, WriteCondition.None, cancellationToken);
            }

            var bodies = new List<StoredBody>(decoded.Bodies.Count);
            foreach (var body in decoded.Bodies)
            {
                var (size, sha) = await WriteHashedAsync(
                    $"{folder}/{body.Path}",
                    about with { ContentType = $"{body.ContentType}; charset=utf-8", Kind = ArchiveObjectKind.Body },
                    body.WriteToAsync,
                    cancellationToken);
                bodies.Add(new StoredBody(body.Path, body.ContentType, "utf-8", body.OriginalCharset, size, sha));
            }

            var attachments = new List<StoredAttachment>(decoded.Attachments.Count);
            foreach (var attachment in decoded.Attachments)
            {
                var (size, sha) = await WriteHashedAsync(
                    $"{folder}/{attachment.Path}",
                    about with { ContentType = attachment.ContentType, Kind = ArchiveObjectKind.Attachment },
                    attachment.WriteToAsync,
                    cancellationToken);
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

            var headers = decoded.Headers;
            var manifest = new MessageManifest(
                MessageManifest.CurrentSchemaVersion,
                mailbox,
                uidl,
                key,
                time.GetUtcNow(),
                headers.MessageId,
                headers.Subject,
                headers.From,
                headers.To,
                headers.Cc,
                headers.Date,
                new StoredRaw(ArchiveLayout.RawName, raw.Size, raw.Sha256),
                bodies,
                attachments,
                warnings);
            await ArchiveJson.WriteAsync(
                archive,
                $"{folder}/{ArchiveLayout.ManifestName}",
                manifest,
                ArchiveJson.Readable.MessageManifest,
                about with { Kind = ArchiveObjectKind.Manifest },
                WriteCondition.None,
                cancellationToken);
            observer.OnStep(mailbox, IngestStep.ManifestStored);
            return new StoredMessage(key, folder, Quarantined: false, raw.Size);
        }
    }

    private async Task<StoredMessage> QuarantineAsync(
        string mailbox, string uidl, string key, RawMessage raw, MessageDecodingException error, CancellationToken cancellationToken)
    {
        Log.Quarantined(logger, mailbox, uidl, error.Message);
        var folder = ArchiveLayout.QuarantineFolder(mailbox, key);
        var about = new ArchiveObjectInfo(RawContentType, ArchiveObjectKind.Raw, mailbox) { Uidl = uidl };
        await WriteRawAsync(folder, raw, about, WriteCondition.None, cancellationToken);
        var record = new QuarantineRecord(
            mailbox, uidl, key, time.GetUtcNow(), error.Message, new StoredRaw(ArchiveLayout.RawName, raw.Size, raw.Sha256));
        await ArchiveJson.WriteAsync(
            archive,
            $"{folder}/{ArchiveLayout.ErrorName}",
            record,
            ArchiveJson.Readable.QuarantineRecord,
            about with { Kind = ArchiveObjectKind.Quarantine },
            WriteCondition.None,
            cancellationToken);
        observer.OnStep(mailbox, IngestStep.ManifestStored);
        return new StoredMessage(key, folder, Quarantined: true, raw.Size);
    }

    /// <summary>Raw bytes go first: whatever else fails later, the message itself is kept. False when the condition failed.</summary>
    private async Task<bool> WriteRawAsync(string folder, RawMessage raw, ArchiveObjectInfo about, WriteCondition condition, CancellationToken cancellationToken)
    {
        try
        {
            await archive.WriteAsync($"{folder}/{ArchiveLayout.RawName}", about, raw.CopyToAsync, condition, cancellationToken);
        }
        catch (ArchiveConflictException) when (condition.IsConditional)
        {
            return false;
        }

        observer.OnStep(about.Mailbox, IngestStep.RawStored);
        return true;
    }

    private async Task<string?> ReadStoredRawShaAsync(string folder, CancellationToken cancellationToken)
    {
        var stored = await archive.ReadAsync($"{folder}/{ArchiveLayout.ManifestName}", cancellationToken);
        return stored is null
            ? null
            : JsonSerializer.Deserialize(stored.Content.Span, ArchiveJson.Readable.MessageManifest)?.Raw.Sha256;
    }

    private async Task<(long Size, string Sha256)> WriteHashedAsync(
        string path, ArchiveObjectInfo info, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken)
    {
        long size = 0;
        var sha = "";
        await archive.WriteAsync(
            path,
            info,
            async (stream, ct) =>
            {
                using var hashing = new HashingStream(stream);
                await writeContent(hashing, ct);
                size = hashing.BytesWritten;
                sha = hashing.FinishHash();
            },
            WriteCondition.None,
            cancellationToken);
        return (size, sha);
    }
}
