using System.Globalization;

namespace MailIngest.Imap;

/// <summary>
/// The ledger's ID of a message in an IMAP folder (docs/imap.md): <c>{UIDVALIDITY}:{UID}@{folder}</c>, and on Gmail
/// <c>{UIDVALIDITY}:{UID}:{X-GM-MSGID}@{folder}</c>. It is read from the left: one or two colon-separated numbers end at
/// the first '@', and the rest is the folder's name as the server spells it, whatever characters it holds, so no name
/// needs escaping. A UID is never given to another message while the folder's UIDVALIDITY stays, which is why the
/// UIDVALIDITY belongs in the ID: after a renumbering no old ID can name a new message.
/// </summary>
/// <param name="UidValidity">The folder's UIDVALIDITY.</param>
/// <param name="Uid">The message's UID in the folder.</param>
/// <param name="Folder">The folder's full name.</param>
/// <param name="GmailMessageId">Gmail's X-GM-MSGID, the same in every label folder; null on other servers.</param>
internal sealed record ImapMessageId(uint UidValidity, uint Uid, string Folder, ulong? GmailMessageId = null)
{
    /// <summary>
    /// The ID as text, kept from <see cref="TryParse"/>: a listing that the ledger's own IDs answer hands the ledger back
    /// its own strings, which its lookups then match by reference rather than character by character (a poll looks up
    /// every listed ID several times). Not part of equality, which is the four values'.
    /// </summary>
    private string? _text;

    /// <summary>A copy (<c>with</c>) may change any of the values, so it does not keep the text.</summary>
    private ImapMessageId(ImapMessageId original) =>
        (UidValidity, Uid, Folder, GmailMessageId) = (original.UidValidity, original.Uid, original.Folder, original.GmailMessageId);

    public override string ToString() => _text ??= GmailMessageId is { } gmail
        ? string.Create(CultureInfo.InvariantCulture, $"{UidValidity}:{Uid}:{gmail}@{Folder}")
        : string.Create(CultureInfo.InvariantCulture, $"{UidValidity}:{Uid}@{Folder}");

    public bool Equals(ImapMessageId? other) =>
        other is not null && UidValidity == other.UidValidity && Uid == other.Uid && GmailMessageId == other.GmailMessageId && Folder == other.Folder;

    public override int GetHashCode() => HashCode.Combine(UidValidity, Uid, GmailMessageId, Folder);

    /// <summary>The name the archive key is made from on Gmail, so that a message in several label folders is stored once; null elsewhere.</summary>
    public string? StorageName => GmailMessageId is { } gmail ? string.Create(CultureInfo.InvariantCulture, $"gmail-{gmail}") : null;

    /// <summary>Reads an ID; false for an ID of another kind (a POP3 UIDL, when a mailbox changed protocol).</summary>
    public static bool TryParse(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ImapMessageId? parsed)
    {
        parsed = null;
        var at = id.IndexOf('@', StringComparison.Ordinal);
        if (at < 0 || at == id.Length - 1)
        {
            return false;
        }

        // Read in place, without splitting: every poll reads every ID the ledger holds.
        var numbers = id.AsSpan(0, at);
        var colon = numbers.IndexOf(':');
        if (colon < 0 || !uint.TryParse(numbers[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var uidValidity))
        {
            return false;
        }

        var rest = numbers[(colon + 1)..];
        ulong? gmail = null;
        if (rest.IndexOf(':') is var second and >= 0)
        {
            if (!ulong.TryParse(rest[(second + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            gmail = value;
            rest = rest[..second];
        }

        if (!uint.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            return false;
        }

        parsed = new ImapMessageId(uidValidity, uid, id[(at + 1)..], gmail) { _text = id };
        return true;
    }
}
