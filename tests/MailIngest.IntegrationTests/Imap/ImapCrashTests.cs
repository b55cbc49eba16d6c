using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Imap;

/// <summary>
/// An IMAP run in delete or move mode killed with SIGKILL at each point of the core loop where the archive's or the
/// server's state changes, then run again: every message stored exactly once, none lost, the folder empty, and in move
/// mode every message in the target folder exactly once.
/// </summary>
public abstract class ImapCrashTests(StoreKind store) : FaultedMailboxTest("imapcrash", store)
{
    private const string Processed = "Processed";

    public static TheoryData<string, string> Points()
    {
        var points = new TheoryData<string, string>();
        foreach (var mode in new[] { "delete", "move" })
        {
            // The six messages make one retrieval window; the ledger is made durable after it, before the EXPUNGE or MOVE.
            foreach (var step in new[] { "Retrieving:3", "RawStored:3", "ManifestStored:3", "LedgerFlushing:1", "Committing:1", "Committed:1" })
            {
                points.Add(mode, step);
            }
        }

        return points;
    }

    private void ConfigureMode(string mode, int? port = null)
    {
        if (mode == "move")
        {
            Dovecot.FolderPath(User, Processed);
            ConfigureImap(new { MoveToFolder = Processed, LedgerFlushEvery = 2 }, port: port);
        }
        else
        {
            ConfigureImap(new { DeleteAfterIngest = true, LedgerFlushEvery = 2 }, port: port);
        }
    }

    [Theory]
    [MemberData(nameof(Points))]
    public async Task Once_KilledAtStep_RerunStoresEachMessageOnceAndEmptiesTheFolder(string mode, string faultPoint)
    {
        ConfigureMode(mode);

        var crashed = await Workspace.OnceAsync(new Dictionary<string, string> { ["MAILINGEST_FAULT_INJECTION"] = faultPoint });

        Assert.True(crashed.Killed, crashed.ToString());
        Assert.Equal(faultPoint.StartsWith("Committed", StringComparison.Ordinal) ? 0 : Messages, Dovecot.MessageCount(User, "INBOX"));
        await AssertRerunCompletesExactlyOnceAsync(mode);
    }

    [Theory]
    [InlineData("delete")]
    [InlineData("move")]
    public async Task Once_KilledMidFetch_RerunStoresEachMessageOnceAndEmptiesTheFolder(string mode)
    {
        // Stall the server's stream a megabyte into the large third message, then kill the client while it waits.
        await using var proxy = CuttingProxy.Start(Dovecot.Host, Dovecot.ImapPort);
        proxy.Fault = ProxyFault.AfterServerBytes(IntoTheLargeMessage).Stalling();
        ConfigureMode(mode, proxy.Port);

        var process = Workspace.StartOnce();
        await proxy.FirstFault.WaitAsync(TimeSpan.FromSeconds(60));
        process.KillHard();
        var crashed = await process.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(crashed.Killed, crashed.ToString());
        Assert.Equal(Messages, Dovecot.MessageCount(User, "INBOX"));
        proxy.Fault = null;
        await AssertRerunCompletesExactlyOnceAsync(mode);
    }

    private async Task AssertRerunCompletesExactlyOnceAsync(string mode)
    {
        await Workspace.Archive.EndOrphanedLockAsync(User);
        var rerun = await Workspace.OnceAsync();

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        AssertEachMessageStoredOnceAndMailboxEmpty();
        Assert.Equal(mode == "move" ? Messages : 0, Dovecot.MessageCount(User, Processed));
        Assert.Equal(0, Workspace.Ledger(User)!.Count);
    }
}

public sealed class ImapCrashOnFileSystemTests() : ImapCrashTests(StoreKind.FileSystem);

public sealed class ImapCrashOnAzureBlobTests() : ImapCrashTests(StoreKind.AzureBlob);
