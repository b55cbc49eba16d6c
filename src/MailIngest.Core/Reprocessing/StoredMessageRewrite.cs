using MailIngest.Archive;
using MailIngest.Decoding;
using MailIngest.Ingestion;

namespace MailIngest.Reprocessing;

/// <summary>
/// Decodes stored messages again and brings each folder to what decoding gives now (docs/reprocess.md): the objects
/// that differ or are missing first, then the new manifest, then the deletion of the objects it no longer names. Until
/// the new manifest replaces the old, the old one stands; each object is replaced whole (the stores write atomically).
/// </summary>
internal sealed class StoredMessageRewrite(ReprocessPass pass)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var folders = new List<StoredFolder>();
        await foreach (var path in pass.Archive.ListAsync(pass.Selection.MessagesPrefix, cancellationToken))
        {
            if (pass.Selection.Stored(path) is { } folder)
            {
                folders.Add(folder);
            }
        }

        // Oldest first, as the folders are named: a pass stopped halfway has done a span of days.
        folders.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        pass.Services.Progress.Planned(pass.Mailbox, folders.Count, 0);
        await Parallel.ForEachAsync(
            folders,
            new ParallelOptions { MaxDegreeOfParallelism = pass.Archive.StoresAtOnce, CancellationToken = cancellationToken },
            async (folder, ct) => await pass.ExamineAsync(folder.Path, () => RewriteAsync(folder, ct)));
    }

    private async Task RewriteAsync(StoredFolder folder, CancellationToken cancellationToken)
    {
        var manifestPath = $"{folder.Path}/{ArchiveLayout.ManifestName}";
        var stored = await ReprocessPass.ReadJsonAsync(ArchiveJson.ReadManifestAsync(pass.Archive, folder.Path, cancellationToken), manifestPath)
            ?? throw new UnusableMessageException($"{manifestPath} was deleted while the pass ran.");
        var present = await ObjectsInAsync(folder.Path, cancellationToken);
        await using var raw = await RawMessage.OpenAsync(pass.Archive, $"{folder.Path}/{stored.Raw.Path}", pass.SpoolFolder, copy: false, cancellationToken)
            ?? throw new UnusableMessageException($"{stored.Raw.Path} is missing, so the message cannot be decoded again; restore it from a backup.");
        using var decoded = Decode(raw);

        // The facts of the ingestion stay; what decoding gives is measured anew and compared before anything is written.
        var facts = new MessageFacts(
            pass.Mailbox, stored.Uidl, stored.Key, stored.IngestedAt, stored.Raw, [.. stored.Warnings.Where(RetrievalWarnings.IsAboutRetrieval)])
        {
            Origin = MessageOrigin.Of(stored.Folder, stored.UidValidity, stored.Uid),
        };
        var measured = await MessageContentWriter.MeasureAsync(facts, decoded, cancellationToken);
        var changes = ContentChanges.Between(stored, measured, present);
        if (changes.Change is not { } change)
        {
            pass.Counters.Unchanged();
            Log.ReprocessUnchanged(pass.Services.Logger, pass.Mailbox, folder.Path);
            return;
        }

        if (!pass.Changing(change, folder.Path, [.. changes.ToWrite.Order(StringComparer.Ordinal)], changes.ToDelete))
        {
            return;
        }

        var objects = ContentChanges.Objects(measured);
        var written = new List<string>();
        var manifest = await pass.Contents.WriteAsync(
            folder.Path,
            facts with { ReprocessedAt = pass.Services.Time.GetUtcNow() },
            decoded,
            new ContentRewrite(
                InPlace: path => changes.ToWrite.Contains(path) ? null : objects[path],
                Written: path =>
                {
                    written.Add(path);
                    pass.ObjectWritten(stored.Uidl);
                }),
            cancellationToken);
        pass.ManifestWritten(stored.Uidl);

        if (changes.ToDelete.Count > 0)
        {
            // The new manifest must outlive a crash of the machine before the objects only the old one names go.
            await pass.Archive.PersistAsync(cancellationToken);
            foreach (var path in changes.ToDelete)
            {
                pass.ThrowIfLockLost();
                await pass.Archive.DeleteAsync($"{folder.Path}/{path}", cancellationToken);
            }
        }

        await pass.ChangedAsync(
            new ReprocessedMessage(pass.Mailbox, stored.Uidl, stored.Key, folder.Path, change, manifest.ReprocessedAt!.Value)
            {
                MessageId = manifest.MessageId,
                Written = written,
                Deleted = changes.ToDelete,
            },
            cancellationToken);
    }

    /// <summary>The objects in a message's folder, relative to it.</summary>
    private async Task<HashSet<string>> ObjectsInAsync(string folder, CancellationToken cancellationToken)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var path in pass.Archive.ListAsync(folder + "/", cancellationToken))
        {
            present.Add(path[(folder.Length + 1)..]);
        }

        return present;
    }

    private DecodedMessage Decode(RawMessage raw)
    {
        try
        {
            return pass.Services.Decoder.Decode(raw.Content);
        }
        catch (MessageDecodingException e)
        {
            throw new UnusableMessageException($"{e.Message} It no longer decodes with the current decoder and limits, so it is left as stored.");
        }
    }
}
