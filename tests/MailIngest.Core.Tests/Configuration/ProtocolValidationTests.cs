using MailIngest.Configuration;

namespace MailIngest.Core.Tests.Configuration;

/// <summary>Keys of one protocol are refused on a mailbox of the other, and IMAP's combinations are checked, each naming the key.</summary>
public sealed class ProtocolValidationTests
{
    private const string Key = "MailIngest:Mailboxes:support";

    private static List<string> Errors(Action<MailboxOptions> configure)
    {
        var mailbox = new MailboxOptions { Host = "mail.example.com", Username = "support@example.com" };
        configure(mailbox);
        return [.. new MailIngestOptionsValidator().Validate(null, new MailIngestOptions { Mailboxes = { ["support"] = mailbox } }).Failures ?? []];
    }

    [Fact]
    public void Validate_ImapMailboxWithFoldersMoveAndIdle_Succeeds()
    {
        Assert.Empty(Errors(m =>
        {
            m.Protocol = MailProtocol.Imap;
            m.Folders = ["INBOX", "Archive"];
            m.MoveToFolder = "Processed";
            m.MarkSeen = true;
            m.Idle = true;
        }));
    }

    [Theory]
    [InlineData(nameof(MailboxOptions.Folders))]
    [InlineData(nameof(MailboxOptions.MarkSeen))]
    [InlineData(nameof(MailboxOptions.MoveToFolder))]
    [InlineData(nameof(MailboxOptions.Idle))]
    public void Validate_ImapKeyOnPop3Mailbox_NamesTheKey(string key)
    {
        var errors = Errors(m =>
        {
            m.Folders = key == nameof(MailboxOptions.Folders) ? ["INBOX"] : [];
            m.MarkSeen = key == nameof(MailboxOptions.MarkSeen);
            m.MoveToFolder = key == nameof(MailboxOptions.MoveToFolder) ? "Processed" : "";
            m.Idle = key == nameof(MailboxOptions.Idle);
        });

        Assert.Equal([$"{Key}:{key} is an IMAP setting, but the mailbox's Protocol is Pop3: remove it, or set Protocol to Imap."], errors);
    }

    [Theory]
    [InlineData(false, false, "", ":UidlGuard is a POP3 setting")]
    [InlineData(true, true, "Processed", $":MoveToFolder and {Key}:DeleteAfterIngest are both set")]
    [InlineData(true, false, "INBOX", ":MoveToFolder 'INBOX' is one of the Folders it ingests")]
    [InlineData(true, false, "inbox", ":MoveToFolder 'inbox' is one of the Folders it ingests")]
    public void Validate_ImapCombination_NamesTheKeys(bool uidlGuard, bool deleteAfterIngest, string moveToFolder, string error)
    {
        var errors = Errors(m =>
        {
            m.Protocol = MailProtocol.Imap;
            m.UidlGuard = uidlGuard;
            m.DeleteAfterIngest = deleteAfterIngest;
            m.MoveToFolder = moveToFolder;
        });

        Assert.Contains(errors, e => e.StartsWith(Key + error, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_EmptyOrRepeatedFolder_NamesTheEntry()
    {
        var errors = Errors(m =>
        {
            m.Protocol = MailProtocol.Imap;
            m.Folders = ["INBOX", " ", "Archive", "archive"];
        });

        Assert.Contains($"{Key}:Folders:1 is empty: name an IMAP folder, e.g. INBOX or Archive/2026.", errors);
        Assert.Contains(errors, e => e.StartsWith($"{Key}:Folders names 'Archive' 2 times", StringComparison.Ordinal));
    }
}
