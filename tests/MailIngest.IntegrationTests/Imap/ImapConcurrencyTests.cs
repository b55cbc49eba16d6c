using MailIngest.IntegrationTests.Infrastructure;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;

namespace MailIngest.IntegrationTests.Imap;

/// <summary>Other clients at work while a run lasts: mail that arrives, and a message another client deletes.</summary>
public sealed class ImapConcurrencyTests() : FaultedMailboxTest("imapbusy")
{
    [Fact]
    public async Task Once_MessageArrivesDuringRun_IsLeftOnTheServerAndStoredByTheNextRun()
    {
        ConfigureImap(new { DeleteAfterIngest = true });
        var (process, resume) = await Workspace.StartOnceHeldAtAsync("Retrieving:1");

        // Listed already: the new message is not in this run's listing, and must not be deleted with the others.
        var late = TestMail.Numbered(7);
        await Dovecot.DeliverAsync(User, "INBOX", late);
        await File.WriteAllTextAsync(resume, "");
        var first = await process.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(Messages, Workspace.Manifests().Count);
        Assert.Equal(1, Dovecot.MessageCount(User, "INBOX"));
        var second = await Workspace.OnceAsync();
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("new 1, stored 1", second.Stdout, StringComparison.Ordinal);
        Delivered.Add(late);
        Assert.Equal(Delivered.Select(Convert.ToHexString).Order(), Workspace.Manifests().Select(m => Convert.ToHexString(m.Raw)).Order());
        Assert.Equal(0, Dovecot.MessageCount(User, "INBOX"));
    }

    [Fact]
    public async Task Once_AnotherClientDeletesAMessageBeforeItIsFetched_TheRunStoresTheRestAndForgetsIt()
    {
        ConfigureImap();
        var (process, resume) = await Workspace.StartOnceHeldAtAsync("Retrieving:1");

        await ExpungeAsync(uid: 5);
        await File.WriteAllTextAsync(resume, "");
        var first = await process.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(Messages - 1, Workspace.Manifests().Count);
        // Refused alone, not a failure of the session: no reconnect, and the message's own attempt is counted.
        Assert.DoesNotContain("reconnected", first.Stdout, StringComparison.Ordinal);
        var gone = Workspace.Ledger(User)!.Entries().Single(e => e.State == Ledger.EntryState.Retrying);
        Assert.Matches(@"^\d+:5@INBOX$", gone.Id);
        Assert.Contains("the server refused to send it", gone.Error, StringComparison.Ordinal);
        var second = await Workspace.OnceAsync();
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("new 0, stored 0", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(Messages - 1, Workspace.Ledger(User)!.Count);
        Assert.Equal(Messages - 1, Workspace.Manifests().Count);
    }

    /// <summary>Another client (MailKit, straight to Dovecot) deletes the message with <paramref name="uid"/> from INBOX.</summary>
    private async Task ExpungeAsync(uint uid)
    {
        using var other = new ImapClient();
        await other.ConnectAsync(Dovecot.Host, Dovecot.ImapPort, SecureSocketOptions.None);
        await other.AuthenticateAsync(User, Password);
        await other.Inbox.OpenAsync(FolderAccess.ReadWrite);
        var target = (await other.Inbox.SearchAsync(SearchQuery.Uids([new UniqueId(uid)]))).Single();
        await other.Inbox.AddFlagsAsync(target, MessageFlags.Deleted, silent: true);
        await other.Inbox.ExpungeAsync([target]);
        await other.DisconnectAsync(quit: true);
    }
}
