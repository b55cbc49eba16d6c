using System.Globalization;
using MailIngest.Archive;

namespace MailIngest.Reprocessing;

/// <summary>
/// Which of a mailbox's messages a request takes, told from archive paths alone (docs/storage.md, the layout):
/// <c>messages/{mailbox}/yyyy/MM/dd/{key}/</c> or <c>messages/{mailbox}/undated/{key}/</c>, and <c>quarantine/{mailbox}/{key}/</c>.
/// </summary>
internal sealed class ReprocessSelection(string mailbox, ReprocessRequest request)
{
    private const string Undated = "undated";

    public string MessagesPrefix { get; } = ArchiveLayout.MessagesPrefix(mailbox);

    public string QuarantinePrefix { get; } = $"quarantine/{mailbox}/";

    /// <summary>The folder of a stored message's manifest at <paramref name="path"/>, when the request takes it; else null.</summary>
    public StoredFolder? Stored(string path)
    {
        if (ParseManifestPath(path) is not { } folder || !TakesKey(folder.Key))
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

    /// <summary>The folder of any stored message's manifest at <paramref name="path"/>, taken or not; null for any other path.</summary>
    public StoredFolder? ParseManifestPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith(MessagesPrefix, StringComparison.Ordinal) || !path.EndsWith("/" + ArchiveLayout.ManifestName, StringComparison.Ordinal))
        {
            return null;
        }

        var segments = path[MessagesPrefix.Length..^(ArchiveLayout.ManifestName.Length + 1)].Split('/');
        switch (segments)
        {
            case [Undated, var key]:
                return new StoredFolder($"{MessagesPrefix}{Undated}/{key}", key, Date: null);
            case [var year, var month, var day, var key]
                when DateOnly.TryParseExact($"{year}-{month}-{day}", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date):
                return new StoredFolder($"{MessagesPrefix}{year}/{month}/{day}/{key}", key, date);
            default:
                // Not a message folder of the layout (an attachment of that name sits deeper): not a manifest.
                return null;
        }
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

/// <summary>A stored message's folder: its archive path, its key, and the date it is filed under (null: <c>undated/</c>).</summary>
internal sealed record StoredFolder(string Path, string Key, DateOnly? Date);
