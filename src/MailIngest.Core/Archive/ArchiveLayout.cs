using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MailIngest.Archive;

/// <summary>
/// The storage layout of docs/storage.md ("Storage layout"): every path the archive writes is made here. Public because
/// the stores place the mailbox lock beside the ledger (<see cref="LockPath"/>).
/// </summary>
public static class ArchiveLayout
{
    public const string RawName = "message.eml";
    public const string ManifestName = "manifest.json";
    public const string ErrorName = "error.json";

    private const int MaxReadableUidlLength = 40;

    /// <summary>The date folder of a message without a usable date.</summary>
    private const string Undated = "undated";

    /// <summary>
    /// <paramref name="key"/> when it is not <see cref="MessageKey"/> of mailbox and UIDL (a reused UIDL's, a renumbered
    /// message's), else null: what a ledger entry records, so that it names only the keys it cannot derive.
    /// </summary>
    public static string? KeyUnlessDefault(string mailbox, string uidl, string key) => key == MessageKey(mailbox, uidl) ? null : key;

    /// <summary>A key that depends only on mailbox and UIDL, so a re-fetch after a crash rewrites the same objects.</summary>
    /// <remarks>The readable part keeps the UIDL recognisable; the hash keeps keys distinct where sanitising would merge two UIDLs.</remarks>
    public static string MessageKey(string mailbox, string uidl)
    {
        var readable = new StringBuilder(Math.Min(uidl.Length, MaxReadableUidlLength));
        foreach (var c in uidl.AsSpan(0, Math.Min(uidl.Length, MaxReadableUidlLength)))
        {
            readable.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(mailbox + "\n" + uidl));
        return $"{readable}-{Convert.ToHexStringLower(hash.AsSpan(0, 6))}";
    }

    /// <summary>The key for a message whose UIDL the server reused for different content: it must not overwrite the first.</summary>
    public static string ReusedUidlKey(string key, string rawSha256) => $"{key}-{rawSha256[..12]}";

    /// <summary>Where every message folder of the mailbox lies.</summary>
    public static string MessagesPrefix(string mailbox) => $"messages/{mailbox}/";

    public static string MessageFolder(string mailbox, DateTimeOffset? date, string key) => date is { } d
        ? string.Create(CultureInfo.InvariantCulture, $"{MessagesPrefix(mailbox)}{d.UtcDateTime:yyyy}/{d.UtcDateTime:MM}/{d.UtcDateTime:dd}/{key}")
        : $"{MessagesPrefix(mailbox)}{Undated}/{key}";

    /// <summary>
    /// The folder of the stored message whose manifest is at <paramref name="path"/>
    /// (<c>messages/{mailbox}/yyyy/MM/dd/{key}/</c> or <c>messages/{mailbox}/undated/{key}/</c>); null for any other path.
    /// </summary>
    internal static StoredFolder? StoredFolderOf(string mailbox, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var prefix = MessagesPrefix(mailbox);
        if (!path.StartsWith(prefix, StringComparison.Ordinal) || !path.EndsWith("/" + ManifestName, StringComparison.Ordinal))
        {
            return null;
        }

        var segments = path[prefix.Length..^(ManifestName.Length + 1)].Split('/');
        switch (segments)
        {
            case [Undated, var key]:
                return new StoredFolder($"{prefix}{Undated}/{key}", key, Date: null);
            case [var year, var month, var day, var key]
                when DateOnly.TryParseExact($"{year}-{month}-{day}", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date):
                return new StoredFolder($"{prefix}{year}/{month}/{day}/{key}", key, date);
            default:
                // Not a message folder of the layout (an attachment of that name sits deeper): not a manifest.
                return null;
        }
    }

    /// <summary>Where every quarantine folder of the mailbox lies.</summary>
    public static string QuarantinePrefix(string mailbox) => $"quarantine/{mailbox}/";

    public static string QuarantineFolder(string mailbox, string key) => $"{QuarantinePrefix(mailbox)}{key}";

    public static string LedgerPath(string mailbox) => $"state/{mailbox}.json";

    /// <summary>What a store locks to keep two workers off one mailbox: a file it holds an flock on, or a blob it leases.</summary>
    public static string LockPath(string mailbox) => LedgerPath(mailbox) + ".lock";
}

/// <summary>A stored message's folder: its archive path, its key, and the date it is filed under (null: <c>undated/</c>).</summary>
internal sealed record StoredFolder(string Path, string Key, DateOnly? Date);
