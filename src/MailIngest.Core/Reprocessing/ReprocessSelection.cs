using MailIngest.Archive;

namespace MailIngest.Reprocessing;

/// <summary>
/// Which of a mailbox's messages a request takes, told from archive paths alone (docs/storage.md, the layout):
/// <c>messages/{mailbox}/yyyy/MM/dd/{key}/</c> or <c>messages/{mailbox}/undated/{key}/</c>, and <c>quarantine/{mailbox}/{key}/</c>.
/// </summary>
internal sealed class ReprocessSelection(string mailbox, ReprocessRequest request)
{
    public string MessagesPrefix { get; } = ArchiveLayout.MessagesPrefix(mailbox);

    public string QuarantinePrefix { get; } = ArchiveLayout.QuarantinePrefix(mailbox);

    /// <summary>The folder of a stored message's manifest at <paramref name="path"/>, when the request takes it; else null.</summary>
    public StoredFolder? Stored(string path)
    {
        if (ArchiveLayout.StoredFolderOf(mailbox, path) is not { } folder || !TakesKey(folder.Key))
        {
            return null;
        }

        if (!request.ByDate)
        {
            return folder;
        }

        return folder.Date is { } date && (request.Since is null || date >= request.Since) && (request.Until is null || date <= request.Until)
            ? folder
            : null;
    }

    /// <summary>The key of a quarantined message whose record is at <paramref name="path"/>, when the request takes it; else null.</summary>
    public string? Quarantined(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var suffix = "/" + ArchiveLayout.ErrorName;
        if (!path.StartsWith(QuarantinePrefix, StringComparison.Ordinal) || !path.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var key = path[QuarantinePrefix.Length..^suffix.Length];
        return !key.Contains('/', StringComparison.Ordinal) && TakesKey(key) ? key : null;
    }

    private bool TakesKey(string key) => request.Keys.Count == 0 || request.Keys.Contains(key);
}

