using System.Security.Cryptography;
using MailIngest.IntegrationTests.Infrastructure;
using MailIngest.Ledger;

namespace MailIngest.IntegrationTests.Engine;

/// <summary>
/// <c>mailingest reprocess</c> against each real store, after real runs against Dovecot: a raised limit drains the
/// quarantine, lost objects come back, a killed pass is finished by the next, a dry run writes nothing, and a second pass
/// changes nothing.
/// </summary>
public abstract class ReprocessTests(StoreKind store) : MailboxTest("reprocess", store)
{
    private const string Fault = "MAILINGEST_FAULT_INJECTION";

    private async Task OnceOkAsync(string expected)
    {
        var run = await Workspace.OnceAsync();
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(expected, run.Stdout, StringComparison.Ordinal);
    }

    private async Task<RunOutput> ReprocessOkAsync(params string[] options)
    {
        var run = await Workspace.RunVerbAsync(["reprocess", .. options]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    /// <summary>Every object a pass may write or delete, with its bytes; the lock and the spool are not the archive's content.</summary>
    private Dictionary<string, string> Snapshot() => Workspace.Archive.List("")
        .Where(path => !path.StartsWith(".spool/", StringComparison.Ordinal) && !path.Contains(".lock", StringComparison.Ordinal))
        .ToDictionary(path => path, path => Convert.ToHexString(Workspace.Archive.Read(path)!), StringComparer.Ordinal);

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>
    /// <paramref name="messages"/> message folders, each with one manifest whose every object is there with the bytes it
    /// names, and nothing else a reader sees beside them. No half-written object anywhere, but that a pass killed while it
    /// wrote the manifest of a message it restored may leave that write's remains (a hidden temp file, uncommitted
    /// blocks), which the next pass has no reason to touch: the manifest it would write says the same (docs/reprocess.md).
    /// </summary>
    private void AssertOneConsistentManifestPerMessage(int messages, bool afterAKill = false)
    {
        var manifests = Workspace.Manifests();
        Assert.Equal(messages, manifests.Count);
        Assert.Equal(Workspace.MessageFolders(), manifests.Select(m => m.Folder));
        foreach (var manifest in manifests)
        {
            var named = manifest.Json["bodies"]!.AsArray().Concat(manifest.Json["attachments"]!.AsArray()).Append(manifest.Json["raw"]).ToList();
            foreach (var entry in named)
            {
                var content = Workspace.Archive.Read($"{manifest.Folder}/{entry!["path"]!.GetValue<string>()}");
                Assert.True(content is not null, $"{manifest.Folder}: {entry["path"]} is missing");
                Assert.Equal(entry["sha256"]!.GetValue<string>(), Sha256(content));
            }

            // As text, so that a failure shows the whole paths.
            Assert.Equal(
                string.Join("\n", named.Select(e => $"{manifest.Folder}/{e!["path"]!.GetValue<string>()}").Append($"{manifest.Folder}/manifest.json").Order(StringComparer.Ordinal)),
                string.Join("\n", Workspace.Archive.List(manifest.Folder + "/").Where(path => !IsTempFile(path))));
        }

        Assert.All(Workspace.TempFiles(), leftover => Assert.True(
            afterAKill && (Path.GetFileName(leftover).StartsWith(".manifest.json.", StringComparison.Ordinal) || leftover.EndsWith("/manifest.json", StringComparison.Ordinal)),
            $"half-written: {leftover}"));
    }

    /// <summary>A FileSystem store's temp file, hidden: what a reader of the folder passes by.</summary>
    private static bool IsTempFile(string path) =>
        Path.GetFileName(path).StartsWith('.') && path.EndsWith(".tmp", StringComparison.Ordinal);

    private void AssertQuarantineDrainedAndLedgerSaysStored()
    {
        Assert.Empty(Workspace.Archive.List("quarantine/"));
        var ledger = Workspace.Ledger(User)!;
        Assert.All(Workspace.Manifests(), m => Assert.Equal(EntryState.Stored, ledger.Find(m.Uidl)!.State));
    }

    [Fact]
    public async Task Reprocess_MaxPartsRaisedInConfiguration_MovesTheQuarantined1500PartMessageIntoMessages()
    {
        var manyParts = TestMail.ManyParts(1500);
        await Dovecot.DeliverAsync(User, manyParts);
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        Configure();
        await OnceOkAsync("stored 1, quarantined 1");
        Configure(ingest: new { Decoding = new { MaxParts = 2000 } });

        var reprocess = await ReprocessOkAsync("--quarantine");

        Assert.Contains($"{User}: ok, examined 1, rewritten 0, restored 0, unchanged 0, from quarantine 1, still failing 0,", reprocess.Stdout, StringComparison.Ordinal);
        var moved = Assert.Single(Workspace.Manifests(), m => m.Raw.SequenceEqual(manyParts));
        Assert.Equal(1499, moved.Attachments.Count);
        Assert.NotNull(moved.Json["reprocessedAt"]);
        AssertOneConsistentManifestPerMessage(2);
        AssertQuarantineDrainedAndLedgerSaysStored();

        var before = Snapshot();
        var again = await ReprocessOkAsync("--quarantine");
        var stored = await ReprocessOkAsync();

        Assert.Contains("examined 0,", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("examined 2, rewritten 0, restored 0, unchanged 2,", stored.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Reprocess_AttachmentRemovedFromItsFolder_IsRestoredAndASecondPassChangesNothing()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await Dovecot.DeliverAsync(User, TestMail.Numbered(2));
        Configure();
        await OnceOkAsync("stored 2");
        var manifest = Workspace.Manifests().Single(m => m.Json["subject"]!.GetValue<string>() == "Test message 1");
        var attachment = $"{manifest.Folder}/{manifest.Attachments.Single()["path"]!.GetValue<string>()}";
        var content = Workspace.Archive.Read(attachment)!;
        Workspace.Archive.Delete(attachment);

        var reprocess = await ReprocessOkAsync();

        Assert.Contains("examined 2, rewritten 0, restored 1, unchanged 1,", reprocess.Stdout, StringComparison.Ordinal);
        Assert.Equal(content, Workspace.Archive.Read(attachment));
        AssertOneConsistentManifestPerMessage(2);

        var before = Snapshot();
        var again = await ReprocessOkAsync();

        Assert.Contains("examined 2, rewritten 0, restored 0, unchanged 2,", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Reprocess_KilledWhileRestoringObjects_NextPassLeavesOneConsistentManifestPerMessage()
    {
        for (var n = 1; n <= 4; n++)
        {
            await Dovecot.DeliverAsync(User, TestMail.Numbered(n));
        }

        Configure();
        await OnceOkAsync("stored 4");
        foreach (var manifest in Workspace.Manifests())
        {
            Workspace.Archive.Delete($"{manifest.Folder}/body.txt");
            Workspace.Archive.Delete($"{manifest.Folder}/{manifest.Attachments.Single()["path"]!.GetValue<string>()}");
        }

        var killed = await Workspace.RunVerbAsync(new Dictionary<string, string> { [Fault] = "ReprocessObjectWritten:3" }, "reprocess");
        Assert.True(killed.Killed, killed.ToString());
        await Workspace.Archive.EndOrphanedLockAsync(User);

        var rerun = await ReprocessOkAsync();

        Assert.Contains("examined 4, rewritten 0, restored ", rerun.Stdout, StringComparison.Ordinal);
        AssertOneConsistentManifestPerMessage(4, afterAKill: true);
    }

    [Theory]
    [InlineData("ReprocessObjectWritten:5")]
    [InlineData("ReprocessManifestWritten:1")]
    public async Task Reprocess_KilledWhileDrainingTheQuarantine_NextPassMovesEachMessageOnce(string faultPoint)
    {
        await Dovecot.DeliverAsync(User, TestMail.ManyParts(20));
        await Dovecot.DeliverAsync(User, TestMail.ManyParts(30));
        Configure(ingest: new { Decoding = new { MaxParts = 10 } });
        await OnceOkAsync("stored 0, quarantined 2");
        Configure(ingest: new { Decoding = new { MaxParts = 100 } });

        var killed = await Workspace.RunVerbAsync(new Dictionary<string, string> { [Fault] = faultPoint }, "reprocess", "--quarantine");
        Assert.True(killed.Killed, killed.ToString());
        await Workspace.Archive.EndOrphanedLockAsync(User);

        var rerun = await ReprocessOkAsync("--quarantine");

        Assert.Contains("examined 2, rewritten 0, restored 0, unchanged 0, from quarantine 2, still failing 0,", rerun.Stdout, StringComparison.Ordinal);
        AssertOneConsistentManifestPerMessage(2, afterAKill: true);
        AssertQuarantineDrainedAndLedgerSaysStored();
    }

    [Fact]
    public async Task Reprocess_DryRun_SaysWhatItWouldDoAndWritesNothing()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await Dovecot.DeliverAsync(User, TestMail.ManyParts(20));
        Configure(ingest: new { Decoding = new { MaxParts = 10 } });
        await OnceOkAsync("stored 1, quarantined 1");
        var manifest = Workspace.Manifests().Single();
        Workspace.Archive.Delete($"{manifest.Folder}/{manifest.Attachments.Single()["path"]!.GetValue<string>()}");
        Configure(ingest: new { Decoding = new { MaxParts = 100 } });
        var before = Snapshot();

        var stored = await ReprocessOkAsync("--dry-run");
        var quarantined = await ReprocessOkAsync("--dry-run", "--quarantine");

        Assert.Contains($"{User}: ok, dry run (nothing written), examined 1, rewritten 0, restored 1,", stored.Stdout, StringComparison.Ordinal);
        Assert.Contains("would reprocess", stored.Stderr, StringComparison.Ordinal);
        Assert.Contains("dry run (nothing written), examined 1, rewritten 0, restored 0, unchanged 0, from quarantine 1,", quarantined.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }
}

public sealed class ReprocessOnFileSystemTests() : ReprocessTests(StoreKind.FileSystem);

public sealed class ReprocessOnAzureBlobTests() : ReprocessTests(StoreKind.AzureBlob);
