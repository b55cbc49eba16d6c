using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Imap;

/// <summary>
/// A folder the server renumbers (a new UIDVALIDITY: Dovecot's UID list and indexes deleted, as a restore does) stops
/// the run before anything is fetched, <c>plan</c> says why, and <c>adopt</c> records the folder's messages under their new
/// UIDs, so that the next run stores only mail that is really new (docs/recovery.md).
/// </summary>
public sealed class UidValidityTests() : MailboxTest("renumbered")
{
    [Fact]
    public async Task Once_FolderRenumbered_StopsWithoutFetchingUntilAdoptThenStoresOnlyNewMail()
    {
        await StoreInInboxAsync(3);
        var before = UidValidities();

        await Dovecot.RenumberAsync(User, "INBOX");
        var stopped = await Workspace.OnceAsync();

        Assert.Equal(1, stopped.ExitCode);
        Assert.Contains("has a new UIDVALIDITY", stopped.Stdout + stopped.Stderr, StringComparison.Ordinal);
        Assert.Contains("mailingest adopt", stopped.Stdout + stopped.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, Dovecot.ImapSessions(User).Count(s => s.Bodies > 0));
        Assert.Equal(3, Workspace.Manifests().Count);
        var plan = await Workspace.RunVerbAsync("plan");
        Assert.Contains("has a new UIDVALIDITY", plan.Stdout, StringComparison.Ordinal);

        var adopt = await Workspace.RunVerbAsync("adopt", "--mailbox", User);
        Assert.True(adopt.ExitCode == 0, adopt.ToString());
        Assert.DoesNotContain(before.Single(), UidValidities());
        await Dovecot.DeliverAsync(User, "INBOX", TestMail.Numbered(4));
        var after = await Workspace.OnceAsync();

        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Contains("new 1, stored 1", after.Stdout, StringComparison.Ordinal);
        Assert.Equal(4, Workspace.Manifests().Count);
        Assert.Equal(4, Dovecot.MessageCount(User, "INBOX"));
    }

    [Fact]
    public async Task Reingest_FolderRenumberedWithNewMail_StoresOnlyTheNewMessageAndMatchesTheRestByTheirBytes()
    {
        await StoreInInboxAsync(5);
        var keys = Workspace.Manifests().Select(m => m.Json["key"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        await Dovecot.RenumberAsync(User, "INBOX");
        await Dovecot.DeliverAsync(User, "INBOX", TestMail.Numbered(6));
        Assert.Equal(1, (await Workspace.OnceAsync()).ExitCode);
        var stored = Dovecot.ImapSessions(User).Count(s => s.Bodies > 0);

        var reingest = await Workspace.RunVerbAsync("reingest", "--mailbox", User);
        Assert.True(reingest.ExitCode == 0, reingest.ToString());
        Assert.Contains("set aside 5 stored messages", reingest.Stdout, StringComparison.Ordinal);
        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("new 6, stored 1, quarantined 0, matched 5 stored before the renumbering", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(stored + 1, Dovecot.ImapSessions(User).Count(s => s.Bodies > 0));
        var manifests = Workspace.Manifests();
        Assert.Equal(6, manifests.Count);
        Assert.Equal(6, manifests.Select(m => m.Json["messageId"]!.GetValue<string>()).Distinct().Count());
        Assert.Subset(manifests.Select(m => m.Json["key"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal), keys);
        Assert.Equal(6, Workspace.Archive.MessageFolders().Count);
        var ledger = Workspace.Ledger(User)!;
        Assert.Empty(ledger.Renumbered);
        Assert.Equal(6, ledger.Entries().Count);
        Assert.Equal(5, ledger.Entries().Count(e => e.Key is { } key && keys.Contains(key)));
        Assert.Contains("new 0", (await Workspace.OnceAsync()).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reingest_FolderRenumberedByAMigrationThatRewroteTheHeaders_MatchesEachByMessageIdAndBody()
    {
        await StoreInInboxAsync(3);
        await Dovecot.RenumberAsync(User, "INBOX", message => "X-Migrated-From: old.example.com\r\n" + message);
        Assert.Equal(1, (await Workspace.OnceAsync()).ExitCode);

        var reingest = await Workspace.RunVerbAsync("reingest", "--mailbox", User);
        Assert.True(reingest.ExitCode == 0, reingest.ToString());
        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("new 3, stored 0, quarantined 0, matched 3 stored before the renumbering", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, Workspace.Manifests().Count);
        Assert.Empty(Workspace.Ledger(User)!.Renumbered);
    }

    /// <summary>Delivers messages 1 to <paramref name="count"/> into INBOX and stores them with a first run.</summary>
    private async Task StoreInInboxAsync(int count)
    {
        for (var n = 1; n <= count; n++)
        {
            await Dovecot.DeliverAsync(User, "INBOX", TestMail.Numbered(n));
        }

        ConfigureImap();
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
    }

    /// <summary>The UIDVALIDITYs the ledger's IDs name.</summary>
    private List<string> UidValidities() =>
        [.. Workspace.Ledger(User)!.Entries().Select(e => e.Id.Split(':')[0]).Distinct()];
}
