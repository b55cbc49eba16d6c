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
        for (var n = 1; n <= 3; n++)
        {
            await Dovecot.DeliverAsync(User, "INBOX", TestMail.Numbered(n));
        }

        ConfigureImap();
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
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

    /// <summary>The UIDVALIDITYs the ledger's IDs name.</summary>
    private List<string> UidValidities() =>
        [.. Workspace.Ledger(User)!.Entries().Select(e => e.Id.Split(':')[0]).Distinct()];
}
