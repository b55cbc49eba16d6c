using System.Security.Cryptography;
using System.Text;
using MailIngest.Decoding;
using MailIngest.IO;
using MailIngest.Sources;
using Microsoft.Extensions.Logging;

namespace MailIngest.Archive;

/// <summary>
/// Stores one retrieved message: raw bytes first, then bodies and attachments, the manifest last (its presence means
/// "stored"; <see cref="MessageContentWriter"/> writes those). Object names depend only on mailbox and ID, so storing
/// the same message again rewrites, never doubles; a message already stored whole is left as it is.
/// </summary>
internal sealed class MessageArchiver(
    IMailArchive archive,
    MessageDecoder decoder,
    IIngestObserver observer,
    TimeProvider time,
    ILogger<MessageArchiver> logger)
{
    private readonly MessageContentWriter _contents = new(archive);

    /// <summary>Stores a spooled message with what its retrieval noticed (a short RETR, a duplicate ID), which lead the manifest's warnings.</summary>
    /// <remarks>
    /// The spool file is taken over by the archive, or deleted. The key is made from the listed message's
    /// <see cref="ListedMessage.StorageName"/> when it has one, so that one message under several IDs is stored once.
    /// </remarks>
    public async Task<StoredMessage> StoreAsync(
        string mailbox, ListedMessage message, SpooledMessage raw, IReadOnlyList<string> retrievalWarnings, CancellationToken cancellationToken)
    {
        try
        {
            await using var content = raw.OpenRead();
            DecodedMessage decoded;
            try
            {
                decoded = decoder.Decode(content);
            }
            catch (MessageDecodingException e)
            {
                return await QuarantineAsync(new Arrival(mailbox, message, raw, retrievalWarnings), e.Message, cancellationToken);
            }

            using (decoded)
            {
                return await StoreDecodedAsync(new Arrival(mailbox, message, raw, retrievalWarnings), decoded, cancellationToken);
            }
        }
        finally
        {
            raw.Discard();
        }
    }

    /// <summary>
    /// Records in <c>quarantine/</c> a message that is not fetched (larger than MaxMessageSize) or failed too often to be
    /// stored: what is known of it, without its bytes. Such a message stays on the server.
    /// </summary>
    public async Task<string> RecordUnfetchedAsync(string mailbox, string id, UnfetchedMessage message, CancellationToken cancellationToken)
    {
        var key = ArchiveLayout.MessageKey(mailbox, id);
        var record = new QuarantineRecord(mailbox, id, key, time.GetUtcNow(), message.Error, Raw: null)
        {
            Reason = message.Reason,
            ListedSize = message.ListedSize,
            Attempts = message.Attempts,
            Headers = message.Headers,
        };
        if (!await WriteQuarantineRecordAsync(record, WriteCondition.MustNotExist, cancellationToken))
        {
            // Another message under the same ID was quarantined before (a reused ID): it keeps its record.
            var existing = await ArchiveJson.ReadQuarantineRecordAsync(archive, mailbox, key, cancellationToken);
            if (existing is not null && (existing.Raw is not null || existing.Headers != message.Headers))
            {
                key = ArchiveLayout.ReusedUidlKey(key, Sha256Of(message.Headers ?? message.Error));
                record = record with { Key = key };
            }

            await WriteQuarantineRecordAsync(record, WriteCondition.None, cancellationToken);
        }

        Log.Unfetched(logger, mailbox, id, message.Error);
        return key;
    }

    private async Task<StoredMessage> StoreDecodedAsync(Arrival arrival, DecodedMessage decoded, CancellationToken cancellationToken)
    {
        var (mailbox, message, raw, retrievalWarnings) = arrival;
        var id = message.Id;
        var key = arrival.Key;
        var about = MessageContentWriter.RawInfo(mailbox, id, decoded.Headers.MessageId);
        List<string> warnings = [.. retrievalWarnings];
        var folder = ArchiveLayout.MessageFolder(mailbox, decoded.FolderDate, key);

        // Nearly every message is new, so the raw bytes are stored on condition that the folder holds none yet, which
        // spares a blob store a request per message; only when it does is the stored manifest read.
        if (!await StoreRawAsync(folder, raw, about, WriteCondition.MustNotExist, cancellationToken))
        {
            var stored = await ArchiveJson.ReadManifestAsync(archive, folder, cancellationToken);
            if (stored is not null && stored.Raw.Sha256 == raw.Sha256)
            {
                // Stored whole before: by a run that died before its ledger write, or fetched again to be verified.
                return new StoredMessage(stored.Key, folder, Quarantined: false, raw.Size, raw.Sha256) { Manifest = stored };
            }

            if (stored is not null)
            {
                key = ArchiveLayout.ReusedUidlKey(key, raw.Sha256);
                folder = ArchiveLayout.MessageFolder(mailbox, decoded.FolderDate, key);
                warnings.Add(RetrievalWarnings.ForReusedId(id, key));
                Log.UidlReused(logger, mailbox, id, key);
                var again = await StoreRawAsync(folder, raw, about, WriteCondition.MustNotExist, cancellationToken);
                if (!again && await ArchiveJson.ReadManifestAsync(archive, folder, cancellationToken) is { } storedAgain && storedAgain.Raw.Sha256 == raw.Sha256)
                {
                    return new StoredMessage(key, folder, Quarantined: false, raw.Size, raw.Sha256) { Manifest = storedAgain };
                }

                if (!again)
                {
                    await StoreRawAsync(folder, raw, about, WriteCondition.None, cancellationToken);
                }
            }
            else
            {
                // Raw bytes without a manifest: an earlier attempt died halfway. This one completes it.
                await StoreRawAsync(folder, raw, about, WriteCondition.None, cancellationToken);
            }
        }

        var facts = new MessageFacts(mailbox, id, key, time.GetUtcNow(), new StoredRaw(ArchiveLayout.RawName, raw.Size, raw.Sha256), warnings)
        {
            Origin = MessageOrigin.Of(message),
        };
        var manifest = await _contents.WriteAsync(folder, facts, decoded, cancellationToken);
        observer.OnStep(mailbox, IngestStep.ManifestStored, id);
        return new StoredMessage(key, folder, Quarantined: false, raw.Size, raw.Sha256) { Manifest = manifest };
    }

    /// <summary>
    /// Keeps a message that cannot be decoded under <c>quarantine/</c>, raw bytes and the error. Like a stored message,
    /// another message under the same ID never overwrites it: that one gets its own key.
    /// </summary>
    private async Task<StoredMessage> QuarantineAsync(Arrival arrival, string error, CancellationToken cancellationToken)
    {
        var (mailbox, message, raw, _) = arrival;
        var id = message.Id;
        Log.Quarantined(logger, mailbox, id, error);
        var key = arrival.Key;
        var about = MessageContentWriter.RawInfo(mailbox, id, messageId: null);
        if (!await StoreRawAsync(ArchiveLayout.QuarantineFolder(mailbox, key), raw, about, WriteCondition.MustNotExist, cancellationToken))
        {
            var existing = await ArchiveJson.ReadQuarantineRecordAsync(archive, mailbox, key, cancellationToken);
            if (existing?.Raw is { } kept && kept.Sha256 != raw.Sha256)
            {
                key = ArchiveLayout.ReusedUidlKey(key, raw.Sha256);
            }

            await StoreRawAsync(ArchiveLayout.QuarantineFolder(mailbox, key), raw, about, WriteCondition.None, cancellationToken);
        }

        var record = new QuarantineRecord(mailbox, id, key, time.GetUtcNow(), error, new StoredRaw(ArchiveLayout.RawName, raw.Size, raw.Sha256))
        {
            Reason = QuarantineReason.Undecodable,
            Origin = MessageOrigin.Of(message),
        };
        await WriteQuarantineRecordAsync(record, WriteCondition.None, cancellationToken);
        observer.OnStep(mailbox, IngestStep.ManifestStored, id);
        return new StoredMessage(key, ArchiveLayout.QuarantineFolder(mailbox, key), Quarantined: true, raw.Size, raw.Sha256) { Record = record };
    }

    /// <summary>Raw bytes go first: whatever else fails later, the message itself is kept. False when the condition failed.</summary>
    private async Task<bool> StoreRawAsync(string folder, SpooledMessage raw, ArchiveObjectInfo about, WriteCondition condition, CancellationToken cancellationToken)
    {
        try
        {
            await archive.StoreFileAsync($"{folder}/{ArchiveLayout.RawName}", about, raw.Path, condition, cancellationToken);
        }
        catch (ArchiveConflictException) when (condition.IsConditional)
        {
            return false;
        }

        observer.OnStep(about.Mailbox, IngestStep.RawStored, about.Uidl);
        return true;
    }

    private async Task<bool> WriteQuarantineRecordAsync(QuarantineRecord record, WriteCondition condition, CancellationToken cancellationToken)
    {
        try
        {
            await ArchiveJson.WriteQuarantineRecordAsync(archive, record, condition, cancellationToken);
            return true;
        }
        catch (ArchiveConflictException) when (condition.IsConditional)
        {
            return false;
        }
    }

    private static string Sha256Of(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>A message as it arrived: its mailbox and listing (ID, IMAP origin), its spooled bytes, and what its retrieval noticed.</summary>
    private sealed record Arrival(string Mailbox, ListedMessage Message, SpooledMessage Raw, IReadOnlyList<string> RetrievalWarnings)
    {
        /// <summary>The key from mailbox and ID, or from the message's storage name (one message under several IDs).</summary>
        public string Key => ArchiveLayout.MessageKey(Mailbox, Message.StorageName ?? Message.Id);
    }
}

/// <summary>What is known of a message that is recorded without its bytes.</summary>
/// <param name="Reason">Why it has no bytes in the archive.</param>
/// <param name="Error">One sentence for the operator: what happened and what to do.</param>
/// <param name="ListedSize">Its size by the server's listing.</param>
/// <param name="Attempts">How often fetching and storing it failed.</param>
/// <param name="Headers">Its header block (POP3 <c>TOP n 0</c>), when the server gave it.</param>
internal sealed record UnfetchedMessage(QuarantineReason Reason, string Error, long? ListedSize, int Attempts, string? Headers);
