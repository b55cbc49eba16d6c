using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Crash;

/// <summary>
/// A delete-mode run killed with SIGKILL at each point of the core loop where the archive's state changes, then run
/// again: every message stored exactly once, none lost, the mailbox empty.
/// </summary>
public abstract class CrashTests(StoreKind store) : FaultedMailboxTest("crash", store)
{
    private void ConfigureDeleteMode(int? port = null) => Configure(new { DeleteAfterIngest = true, LedgerFlushEvery = 2 }, port: port);

    // The six messages make one retrieval window; the ledger is made durable after it, before the DELEs.
    [Theory]
    [InlineData("Retrieving:3")]
    [InlineData("RawStored:3")]
    [InlineData("ManifestStored:3")]
    [InlineData("LedgerFlushing:1")]
    [InlineData("Committing:1")]
    [InlineData("Committed:1")]
    public async Task Once_KilledAtStep_RerunStoresEachMessageOnceAndEmptiesTheMailbox(string faultPoint)
    {
        ConfigureDeleteMode();

        var crashed = await Workspace.OnceAsync(new Dictionary<string, string> { ["MAILINGEST_FAULT_INJECTION"] = faultPoint });

        Assert.True(crashed.Killed, crashed.ToString());
        Assert.Equal(faultPoint.StartsWith("Committed", StringComparison.Ordinal) ? 0 : Messages, Dovecot.MessageCount(User));
        await AssertRerunCompletesExactlyOnceAsync();
    }

    [Fact]
    public async Task Once_KilledMidRetr_RerunStoresEachMessageOnceAndEmptiesTheMailbox()
    {
        // Stall the server's stream a megabyte into the large third message, then kill the client while it waits.
        await using var proxy = CuttingProxy.Start(Dovecot.Host, Dovecot.Port);
        proxy.Fault = ProxyFault.AfterServerBytes(IntoTheLargeMessage).Stalling();
        ConfigureDeleteMode(proxy.Port);

        var process = Workspace.StartOnce();
        await proxy.FirstFault.WaitAsync(TimeSpan.FromSeconds(60));
        process.KillHard();
        var crashed = await process.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(crashed.Killed, crashed.ToString());
        Assert.Equal(Messages, Dovecot.MessageCount(User));
        proxy.Fault = null;
        await AssertRerunCompletesExactlyOnceAsync();
    }

    private async Task AssertRerunCompletesExactlyOnceAsync()
    {
        await Workspace.Archive.EndOrphanedLockAsync(User);
        var rerun = await Workspace.OnceAsync();

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        AssertEachMessageStoredOnceAndMailboxEmpty();
    }
}

public sealed class CrashOnFileSystemTests() : CrashTests(StoreKind.FileSystem);

public sealed class CrashOnAzureBlobTests() : CrashTests(StoreKind.AzureBlob);
