using MailKit.Net.Imap;

namespace MailIngest.Imap;

/// <summary>The capabilities that matter to ingestion, by the names servers announce them with (MailKit keeps only flags).</summary>
internal static class ImapCapabilityNames
{
    private static readonly (ImapCapabilities Flag, string Name)[] Known =
    [
        (ImapCapabilities.IMAP4rev1, "IMAP4rev1"),
        (ImapCapabilities.IMAP4rev2, "IMAP4rev2"),
        (ImapCapabilities.Idle, "IDLE"),
        (ImapCapabilities.UidPlus, "UIDPLUS"),
        (ImapCapabilities.Move, "MOVE"),
        (ImapCapabilities.CondStore, "CONDSTORE"),
        (ImapCapabilities.QuickResync, "QRESYNC"),
        (ImapCapabilities.ESearch, "ESEARCH"),
        (ImapCapabilities.LiteralPlus, "LITERAL+"),
        (ImapCapabilities.SaslIR, "SASL-IR"),
        (ImapCapabilities.GMailExt1, "X-GM-EXT-1"),
        (ImapCapabilities.LoginDisabled, "LOGINDISABLED"),
    ];

    public static IReadOnlyList<string> Of(ImapCapabilities capabilities) => [.. Known.Where(k => capabilities.HasFlag(k.Flag)).Select(k => k.Name)];
}
