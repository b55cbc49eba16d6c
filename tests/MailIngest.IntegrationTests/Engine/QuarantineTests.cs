using System.Text;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Engine;

/// <summary>A message the decoder refuses keeps its raw bytes in quarantine with an error.json, and the run goes on.</summary>
public abstract class QuarantineTests(StoreKind store) : MailboxTest("quarantine", store)
{
    [Fact]
    public async Task Once_MessageOverPartLimit_IsQuarantinedAndTheRunGoesOn()
    {
        var hostile = TestMail.ManyParts(20);
        await Dovecot.DeliverAsync(User, hostile);
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        Configure(mailbox: new { DeleteAfterIngest = true }, ingest: new { Decoding = new { MaxParts = 10 } });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("stored 1, quarantined 1, deleted 2", run.Stdout, StringComparison.Ordinal);
        var folder = Assert.Single(Workspace.QuarantinedFolders());
        Assert.Equal(hostile, Workspace.Archive.Read($"{folder}/message.eml"));
        var error = Encoding.UTF8.GetString(Workspace.Archive.Read($"{folder}/error.json")!);
        Assert.Contains("\"error\":", error, StringComparison.Ordinal);
        Assert.Single(Workspace.Manifests());
        Assert.Equal(0, Dovecot.MessageCount(User));
        Assert.Equal(1, Workspace.Ledger(User)!.Totals.Quarantined);
    }
}

public sealed class QuarantineOnFileSystemTests() : QuarantineTests(StoreKind.FileSystem);

public sealed class QuarantineOnAzureBlobTests() : QuarantineTests(StoreKind.AzureBlob);
