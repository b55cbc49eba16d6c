using MailIngest.Archive;

namespace MailIngest.Storage.Azure;

/// <summary>The metadata each blob carries, so a consumer can filter blobs without reading manifests.</summary>
/// <remarks>
/// Names are lowercase C# identifiers as Azure requires; values are HTTP header text, so a value that is not printable
/// ASCII, or holds a '%' (which would make it look encoded), is percent-encoded whole: <see cref="Decode"/> gives back
/// exactly the value, whichever way it was stored.
/// </remarks>
internal static class BlobMetadata
{
    public const string Kind = "kind";
    public const string Mailbox = "mailbox";
    public const string Uidl = "uidl";
    public const string MessageId = "messageid";
    public const string Holder = "holder";

    /// <summary>Azure allows 8 KiB of metadata per blob; a Message-ID is never legitimately longer than this.</summary>
    private const int MaxValueLength = 1024;

    public static Dictionary<string, string> Of(ArchiveObjectInfo info)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Kind] = info.Kind.ToString().ToLowerInvariant(),
            [Mailbox] = info.Mailbox,
        };
        if (info.Uidl is { } uidl)
        {
            metadata[Uidl] = HeaderSafe(uidl);
        }

        if (!string.IsNullOrEmpty(info.MessageId))
        {
            metadata[MessageId] = HeaderSafe(info.MessageId);
        }

        return metadata;
    }

    /// <param name="mailbox">The mailbox the lock is for.</param>
    /// <param name="holder">Who holds its lease now (<see cref="LockHolder.Current"/>), or null for the lock blob as created.</param>
    public static Dictionary<string, string> OfLock(string mailbox, string? holder)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [Kind] = "lock", [Mailbox] = mailbox };
        if (holder is not null)
        {
            metadata[Holder] = HeaderSafe(holder);
        }

        return metadata;
    }

    /// <summary>The text a value was stored as (a consumer decodes it the same way: percent-decoding).</summary>
    public static string Decode(string stored) => Uri.UnescapeDataString(stored);

    private static string HeaderSafe(string value)
    {
        var safe = value.All(c => c is > ' ' and <= '~' and not '%') ? value : Uri.EscapeDataString(value);
        if (safe.Length <= MaxValueLength)
        {
            return safe;
        }

        // Cut before an escape sequence that would not fit whole.
        var escape = safe.LastIndexOf('%', MaxValueLength - 1);
        return safe[..(escape > MaxValueLength - 3 ? escape : MaxValueLength)];
    }
}
