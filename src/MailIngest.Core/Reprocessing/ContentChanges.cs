using System.Text.Json;
using MailIngest.Archive;

namespace MailIngest.Reprocessing;

/// <summary>
/// What must change in a stored message's folder to hold what decoding gives now: the objects to write, the objects to
/// delete, and whether that rewrites the message or restores it. Compared before anything is written, so that a message
/// already as decoding gives it is left untouched, and a second pass changes nothing.
/// </summary>
/// <param name="Change">Null when the message is left as it is.</param>
/// <param name="ToWrite">Paths (relative to the folder) of the objects to write: missing, or with other content than decoding gives.</param>
/// <param name="ToDelete">Paths of objects in the folder that the old manifest names and the new one does not.</param>
internal sealed record ContentChanges(ReprocessChange? Change, IReadOnlySet<string> ToWrite, IReadOnlyList<string> ToDelete)
{
    /// <param name="stored">The manifest in the folder.</param>
    /// <param name="decoded">The manifest decoding gives now (measured, not written), with the stored one's facts.</param>
    /// <param name="present">The objects in the folder, relative to it.</param>
    public static ContentChanges Between(MessageManifest stored, MessageManifest decoded, IReadOnlySet<string> present)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(decoded);
        ArgumentNullException.ThrowIfNull(present);
        var (old, now) = (Objects(stored), Objects(decoded));
        var toWrite = now
            .Where(entry => !present.Contains(entry.Key) || old.GetValueOrDefault(entry.Key) != entry.Value)
            .Select(entry => entry.Key)
            .ToHashSet(StringComparer.Ordinal);
        List<string> toDelete = [.. old.Keys.Where(path => !now.ContainsKey(path) && present.Contains(path)).Order(StringComparer.Ordinal)];

        // The same content names the same objects, so a restore only ever writes: it has nothing to delete.
        ReprocessChange? change = !SameContent(stored, decoded) ? ReprocessChange.Rewritten
            : toWrite.Count > 0 ? ReprocessChange.Restored
            : null;
        return new ContentChanges(change, toWrite, toDelete);
    }

    /// <summary>The bodies and attachments a manifest names, by path: their size and SHA-256.</summary>
    public static Dictionary<string, StoredContent> Objects(MessageManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var objects = new Dictionary<string, StoredContent>(StringComparer.Ordinal);
        foreach (var body in manifest.Bodies)
        {
            objects[body.Path] = new StoredContent(body.Size, body.Sha256);
        }

        foreach (var attachment in manifest.Attachments)
        {
            objects[attachment.Path] = new StoredContent(attachment.Size, attachment.Sha256);
        }

        return objects;
    }

    /// <summary>The manifests say the same, but for when a reprocess wrote them: compared as they are stored, in JSON.</summary>
    private static bool SameContent(MessageManifest stored, MessageManifest decoded) =>
        Json(stored).AsSpan().SequenceEqual(Json(decoded));

    private static byte[] Json(MessageManifest manifest) =>
        JsonSerializer.SerializeToUtf8Bytes(manifest with { ReprocessedAt = null }, ArchiveJson.Readable.MessageManifest);
}
