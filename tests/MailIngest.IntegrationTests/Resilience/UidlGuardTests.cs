using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Resilience;

/// <summary>
/// The UIDL guard against a real Dovecot whose <c>pop3_uidl_format</c> changes between runs: the run stops with exit 1
/// and says so, nothing is ingested twice; <c>mailingest adopt</c> records the new UIDLs, and the next run is clean.
/// </summary>
public sealed class UidlGuardTests() : MailboxTest("guard")
{
    private const int Messages = 12;

    [Fact]
    public async Task Once_UidlFormatChanged_StopsUntilAdoptedThenRunsClean()
    {
        for (var n = 1; n <= Messages; n++)
        {
            await Dovecot.DeliverAsync(User, TestMail.Numbered(n));
        }

        Configure();
        var first = await Workspace.OnceAsync();
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(Messages, Workspace.Manifests().Count);

        // The same messages, renamed: as after a server migration.
        await Dovecot.RestartAsync(uidlFormat: "%08Xv-%08Xu");
        var guarded = await Workspace.OnceAsync();

        Assert.True(guarded.ExitCode == 1, guarded.ToString());
        Assert.Contains("UIDLs changed", guarded.Stdout, StringComparison.Ordinal);
        Assert.Contains($"mailingest adopt --mailbox {User}", guarded.Stdout, StringComparison.Ordinal);
        Assert.Equal(Messages, Workspace.Manifests().Count);
        var sessions = await Dovecot.WaitForSessionsAsync(2, User);
        Assert.Equal(0, sessions[1].RetrMessages);

        var adopt = await MailIngestProcess.RunAsync(Workspace.Root, null, "adopt", "--mailbox", User, "--config", Workspace.ConfigPath);
        Assert.True(adopt.ExitCode == 0, adopt.ToString());
        Assert.Contains($"{User}: ok, adopted {Messages} messages", adopt.Stdout, StringComparison.Ordinal);

        await Dovecot.DeliverAsync(User, TestMail.Numbered(Messages + 1));
        var clean = await Workspace.OnceAsync();

        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Contains($"{User}: ok, new 1, stored 1", clean.Stdout, StringComparison.Ordinal);
        sessions = await Dovecot.WaitForSessionsAsync(4, User);
        Assert.Equal(0, sessions[2].RetrMessages);
        Assert.Equal(1, sessions[3].RetrMessages);
        Assert.Equal(Messages + 1, Workspace.Manifests().Count);
        Assert.Equal(Messages + 1, Workspace.Manifests().Select(m => m.Raw).Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public async Task Once_UidlFormatChangedWithNewMailBeside_StillStopsWhateverTheServersTotal()
    {
        for (var n = 1; n <= Messages; n++)
        {
            await Dovecot.DeliverAsync(User, TestMail.Numbered(n));
        }

        Configure();
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);

        // Renamed, and half as much new mail again beside it: 18 on the server against a ledger of 12, far outside ±20 %.
        await Dovecot.RestartAsync(uidlFormat: "%08Xv-%08Xu");
        for (var n = Messages + 1; n <= Messages + 6; n++)
        {
            await Dovecot.DeliverAsync(User, TestMail.Numbered(n));
        }

        var guarded = await Workspace.OnceAsync();

        Assert.True(guarded.ExitCode == 1, guarded.ToString());
        Assert.Contains($"{Messages} of the {Messages} IDs in the ledger are no longer listed and {Messages + 6} unknown ones appeared", guarded.Stdout, StringComparison.Ordinal);
        Assert.Equal(Messages, Workspace.Manifests().Count);
    }
}
