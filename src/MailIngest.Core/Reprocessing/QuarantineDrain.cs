using MailIngest.Archive;
using MailIngest.Decoding;
using MailIngest.Ingestion;
using MailIngest.Ledger;

namespace MailIngest.Reprocessing;

/// <summary>
/// Decodes again the quarantined messages kept with their raw bytes (docs/reprocess.md). One that decodes now moves into
/// <c>messages/</c>: its raw bytes, its objects, its manifest last; then its ledger entry becomes <c>stored</c>, and its
/// quarantine folder goes, <c>error.json</c> last, so a pass killed anywhere leaves a move the next pass finishes. One that
/// still fails stays, with the new error. Records without raw bytes (too large, unprocessable) are <c>mailingest retry</c>'s.
/// </summary>
internal sealed class QuarantineDrain(ReprocessPass pass)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var path in pass.Archive.ListAsync(pass.Selection.QuarantinePrefix, cancellationToken))
        {
            if (pass.Selection.Quarantined(path) is { } key)
            {
                keys.Add(key);
            }
        }

        var records = new List<QuarantineRecord>();
        foreach (var key in keys.Order(StringComparer.Ordinal))
        {
            var folder = ArchiveLayout.QuarantineFolder(pass.Mailbox, key);
            try
            {
                var record = await ReprocessPass.ReadJsonAsync(
                    ArchiveJson.ReadQuarantineRecordAsync(pass.Archive, pass.Mailbox, key, cancellationToken), $"{folder}/{ArchiveLayout.ErrorName}");
                if (record is { Raw: not null })
                {
                    records.Add(record);
                }
            }
            catch (UnusableMessageException e)
            {
                pass.Counters.Examined();
                pass.Failed(folder, e.Message);
            }
        }

        if (records.Count == 0)
        {
            return;
        }

        pass.Services.Progress.Planned(pass.Mailbox, records.Count, 0);
        // A dry run writes no ledger, so it needs none.
        var ledger = pass.Request.DryRun ? null : await pass.LedgerAsync(cancellationToken);
        var stored = await StoredFoldersAsync(records, cancellationToken);
        foreach (var record in records)
        {
            await pass.ExamineAsync(ArchiveLayout.QuarantineFolder(pass.Mailbox, record.Key), () => DrainAsync(record, stored, ledger, cancellationToken));
        }
    }

    /// <summary>
    /// The stored message folders, by key, under the keys the records may move to (their own, or the key of a reused ID):
    /// from one listing of the mailbox's messages, since the date folder of a message is known only once it is decoded.
    /// </summary>
    private async Task<ILookup<string, string>> StoredFoldersAsync(List<QuarantineRecord> records, CancellationToken cancellationToken)
    {
        var keys = records.SelectMany(r => new[] { r.Key, ArchiveLayout.ReusedUidlKey(r.Key, r.Raw!.Sha256) }).ToHashSet(StringComparer.Ordinal);
        var folders = new List<StoredFolder>();
        await foreach (var path in pass.Archive.ListAsync(pass.Selection.MessagesPrefix, cancellationToken))
        {
            if (ArchiveLayout.StoredFolderOf(pass.Mailbox, path) is { } folder && keys.Contains(folder.Key))
            {
                folders.Add(folder);
            }
        }

        return folders.ToLookup(f => f.Key, f => f.Path, StringComparer.Ordinal);
    }

    private async Task DrainAsync(QuarantineRecord record, ILookup<string, string> stored, MailboxLedger? ledger, CancellationToken cancellationToken)
    {
        var raw = record.Raw!;
        var quarantine = ArchiveLayout.QuarantineFolder(pass.Mailbox, record.Key);
        var reusedKey = ArchiveLayout.ReusedUidlKey(record.Key, raw.Sha256);

        // Moved by a pass that was killed before it finished: only the ledger and the quarantine folder are left to do.
        foreach (var folder in stored[record.Key].Concat(stored[reusedKey]))
        {
            var manifest = await ReprocessPass.ReadJsonAsync(
                ArchiveJson.ReadManifestAsync(pass.Archive, folder, cancellationToken), $"{folder}/{ArchiveLayout.ManifestName}");
            if (manifest?.Raw.Sha256 == raw.Sha256)
            {
                if (pass.Changing(ReprocessChange.FromQuarantine, folder, [], [quarantine]))
                {
                    await FinishMoveAsync(record, new MovedMessage(manifest, folder, []), ledger!, cancellationToken);
                }

                return;
            }
        }

        var rawPath = $"{quarantine}/{ArchiveLayout.RawName}";
        await using var copy = await RawMessage.OpenAsync(pass.Archive, rawPath, pass.SpoolFolder, copy: true, cancellationToken)
            ?? throw new UnusableMessageException(
                $"its {ArchiveLayout.ErrorName} names raw bytes, but {rawPath} is missing and no stored message has them; restore it from a backup.");
        if (copy.Spooled!.Sha256 != raw.Sha256)
        {
            throw new UnusableMessageException(
                $"{rawPath} has SHA-256 {copy.Spooled.Sha256}, not the {raw.Sha256} its {ArchiveLayout.ErrorName} records: it was changed since it was " +
                "quarantined. It is left as it is; restore it from a backup.");
        }

        DecodedMessage decoded;
        try
        {
            decoded = pass.Services.Decoder.Decode(copy.Content);
        }
        catch (MessageDecodingException e)
        {
            await StillFailingAsync(record, e.Message, cancellationToken);
            return;
        }

        using (decoded)
        {
            // Another message under the same key (one the server stored under a reused ID): this one takes the reused key.
            var key = stored[record.Key].Any() ? reusedKey : record.Key;
            var folder = ArchiveLayout.MessageFolder(pass.Mailbox, decoded.FolderDate, key);
            List<string> toWrite = [ArchiveLayout.RawName, .. decoded.Bodies.Select(b => b.Path), .. decoded.Attachments.Select(a => a.Path)];
            if (!pass.Changing(ReprocessChange.FromQuarantine, folder, toWrite, [quarantine]))
            {
                return;
            }

            await pass.Archive.StoreFileAsync(
                $"{folder}/{ArchiveLayout.RawName}",
                MessageContentWriter.RawInfo(pass.Mailbox, record.Uidl, decoded.Headers.MessageId),
                copy.Spooled.Path,
                WriteCondition.None,
                cancellationToken);
            List<string> written = [ArchiveLayout.RawName];
            pass.ObjectWritten(record.Uidl);

            var facts = new MessageFacts(
                pass.Mailbox,
                record.Uidl,
                key,
                record.QuarantinedAt,
                raw,
                key == ArchiveLayout.MessageKey(pass.Mailbox, record.Uidl) ? [] : [RetrievalWarnings.ForReusedId(record.Uidl, key)])
            {
                ReprocessedAt = pass.Services.Time.GetUtcNow(),
                Origin = record.Origin,
            };
            var manifest = await pass.Contents.WriteAsync(
                folder,
                facts,
                decoded,
                new ContentRewrite(
                    InPlace: _ => null,
                    Written: path =>
                    {
                        written.Add(path);
                        pass.ObjectWritten(record.Uidl);
                    }),
                cancellationToken);
            pass.ManifestWritten(record.Uidl);
            await FinishMoveAsync(record, new MovedMessage(manifest, folder, written), ledger!, cancellationToken);
        }
    }

    /// <summary>
    /// Records a moved message as stored (when the ledger still holds it: a message deleted from the server has no entry),
    /// durably, then deletes its quarantine folder, <c>error.json</c> last: while that stands, a later pass finishes the move.
    /// </summary>
    private async Task FinishMoveAsync(QuarantineRecord record, MovedMessage moved, MailboxLedger ledger, CancellationToken cancellationToken)
    {
        var (manifest, folder, written) = moved;
        var entry = ledger.Find(record.Uidl);
        pass.ThrowIfLockLost();
        if (entry is { State: EntryState.Quarantined } && (entry.Sha256 is null || entry.Sha256 == record.Raw!.Sha256))
        {
            ledger.Put(entry with { State = EntryState.Stored, Key = ArchiveLayout.KeyUnlessDefault(pass.Mailbox, record.Uidl, manifest.Key) });
            await pass.Services.Ledgers.MakeDurableAsync(ledger, cancellationToken);
        }
        else
        {
            // The copy in messages/ must outlive a crash of the machine before the quarantined bytes go.
            await pass.Archive.PersistAsync(cancellationToken);
        }

        var quarantine = ArchiveLayout.QuarantineFolder(pass.Mailbox, record.Key);
        pass.ThrowIfLockLost();
        await pass.Archive.DeleteAsync($"{quarantine}/{ArchiveLayout.RawName}", cancellationToken);
        await pass.Archive.DeleteAsync($"{quarantine}/{ArchiveLayout.ErrorName}", cancellationToken);
        await pass.ChangedAsync(
            new ReprocessedMessage(pass.Mailbox, record.Uidl, manifest.Key, folder, ReprocessChange.FromQuarantine, manifest.ReprocessedAt ?? pass.Services.Time.GetUtcNow())
            {
                MessageId = manifest.MessageId,
                Written = written,
            },
            cancellationToken);
    }

    /// <summary>The message stays in quarantine; its record gets the new error, written only when it changed so a second pass writes nothing.</summary>
    private async Task StillFailingAsync(QuarantineRecord record, string error, CancellationToken cancellationToken)
    {
        pass.Counters.StillFailing();
        var folder = ArchiveLayout.QuarantineFolder(pass.Mailbox, record.Key);
        Log.StillQuarantined(pass.Services.Logger, pass.Mailbox, folder, error);
        if (!pass.Request.DryRun && record.Error != error)
        {
            await ArchiveJson.WriteQuarantineRecordAsync(pass.Archive, record with { Error = error }, WriteCondition.None, cancellationToken);
        }
    }

    /// <summary>A quarantined message now in <c>messages/</c>: its manifest, its folder, and the objects this pass wrote there.</summary>
    private sealed record MovedMessage(MessageManifest Manifest, string Folder, List<string> Written);
}
