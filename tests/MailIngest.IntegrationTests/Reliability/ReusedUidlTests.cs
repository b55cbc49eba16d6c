using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Reliability;

/// <summary>
/// Issue #12, item 2: RFC 1939 lets a server reuse a UIDL once its message is gone. Dovecot does, with
/// <c>pop3_uidl_format = %f</c> (the UIDL is the Maildir file name) and a second message delivered under the same name.
/// A delete-mode run forgets a UIDL once QUIT is acknowledged, so the new message is new; and when a kill came between
/// QUIT and that record, the message is fetched and compared before anything is deleted.
/// </summary>
public abstract class ReusedUidlTests(StoreKind store) : MailboxTest("reuser", store)
{
    private const string Name = "1700000000.M1P1.reused";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Dovecot.RestartAsync(uidlFormat: "%f");
        Configure(new { DeleteAfterIngest = true });
    }

    [Fact]
    public async Task Once_UidlReusedAfterADeleteModeRun_StoresTheNewMessageBeforeDeletingIt()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1), Name);
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
        Assert.Equal(0, Dovecot.MessageCount(User));

        await Dovecot.DeliverAsync(User, TestMail.Numbered(2), Name);
        var second = await Workspace.OnceAsync();

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains($"{User}: ok, new 1, stored 1, quarantined 0, deleted 1", second.Stdout, StringComparison.Ordinal);
        AssertBothStoredUnderTheirOwnKeys();
    }

    [Fact]
    public async Task Once_KilledAfterQuitBeforeTheLedgerForgotTheUidl_StoresTheReusedMessageBeforeDeletingIt()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1), Name);
        var killed = await Workspace.OnceAsync(new Dictionary<string, string> { ["MAILINGEST_FAULT_INJECTION"] = "Committed:1" });
        Assert.True(killed.Killed, killed.ToString());
        Assert.Equal(0, Dovecot.MessageCount(User));

        // The ledger still names the UIDL, as being deleted, when the server reuses it.
        await Dovecot.DeliverAsync(User, TestMail.Numbered(2), Name);
        await Workspace.Archive.EndOrphanedLockAsync(User);
        var rerun = await Workspace.OnceAsync();

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Equal(0, Dovecot.MessageCount(User));
        AssertBothStoredUnderTheirOwnKeys();
    }

    private void AssertBothStoredUnderTheirOwnKeys()
    {
        var manifests = Workspace.Manifests();
        Assert.Equal(2, manifests.Count);
        Assert.All(manifests, m => Assert.Equal(Name, m.Uidl));
        Assert.Equal(
            new[] { TestMail.Numbered(1), TestMail.Numbered(2) }.Select(Convert.ToHexString).Order(),
            manifests.Select(m => Convert.ToHexString(m.Raw)).Order());
        Assert.Equal(2, manifests.Select(m => m.Folder).Distinct().Count());
    }
}

public sealed class ReusedUidlOnFileSystemTests() : ReusedUidlTests(StoreKind.FileSystem);

public sealed class ReusedUidlOnAzureBlobTests() : ReusedUidlTests(StoreKind.AzureBlob);
