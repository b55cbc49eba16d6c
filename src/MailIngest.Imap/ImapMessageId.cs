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
    public override string ToString() => GmailMessageId is { } gmail
        ? string.Create(CultureInfo.InvariantCulture, $"{UidValidity}:{Uid}:{gmail}@{Folder}")
        : string.Create(CultureInfo.InvariantCulture, $"{UidValidity}:{Uid}@{Folder}");

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

        var numbers = id[..at].Split(':');
        if (numbers.Length is not (2 or 3)
            || !uint.TryParse(numbers[0], NumberStyles.None, CultureInfo.InvariantCulture, out var uidValidity)
            || !uint.TryParse(numbers[1], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            return false;
        }

        ulong? gmail = null;
        if (numbers.Length == 3)
        {
            if (!ulong.TryParse(numbers[2], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            gmail = value;
        }

        parsed = new ImapMessageId(uidValidity, uid, id[(at + 1)..], gmail);
        return true;
    }
}
