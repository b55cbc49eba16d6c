using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MailIngest.Archive;
using MailIngest.Core.Tests.Fakes;
using MailIngest.Decoding;
using MailIngest.Ingestion;
using MailIngest.IO;
using MailIngest.Ledger;
using MailIngest.Reprocessing;
using MailIngest.Sources;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailIngest.Core.Tests.Reprocessing;

/// <summary>
/// Reprocess over messages a real run stored in the in-memory archive: what it writes, in which order, what it leaves
/// alone, and how a pass that died is finished by the next.
/// </summary>
public sealed class ReprocessorTests : IDisposable
{
    private const string Mailbox = RunHarness.Mailbox;

    private readonly RunHarness _harness = new();
    private readonly List<ReprocessedMessage> _told = [];

    public void Dispose() => _harness.Dispose();

    private InMemoryArchive Archive => _harness.Archive;

    private static string WithAttachments(int n, params string[] names)
    {
        var text = new StringBuilder(
            $"From: a@example.com\r\nSubject: files {n}\r\nMessage-ID: <f{n}@example.com>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n" +
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n--mix\r\nContent-Type: text/plain\r\n\r\nSee the files.\r\n");
        foreach (var name in names)
        {
            text.Append(
                CultureInfo.InvariantCulture,
                $"--mix\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n" +
                $"Content-Transfer-Encoding: base64\r\n\r\n{Convert.ToBase64String(Encoding.UTF8.GetBytes($"content of {name}"))}\r\n");
        }

        return text.Append("--mix--\r\n").ToString();
    }

    private async Task IngestAsync(params (string Id, string Content)[] messages)
    {
        foreach (var (id, content) in messages)
        {
            _harness.Server.Deliver(id, content);
        }

        var run = await _harness.RunAsync();
        Assert.True(run.Status == MailboxRunStatus.Succeeded, run.Summary);
    }

    private Task<ReprocessResult> ReprocessAsync(bool quarantine = false, bool dryRun = false, DecoderLimits? limits = null) =>
        _harness.Reprocessor(limits ?? new DecoderLimits(), new Told(_told))
            .ReprocessAsync(Mailbox, new ReprocessRequest { Quarantine = quarantine, DryRun = dryRun }, CancellationToken.None);

    private async Task<ReprocessResult> ReprocessOkAsync(bool quarantine = false, bool dryRun = false, DecoderLimits? limits = null)
    {
        var result = await ReprocessAsync(quarantine, dryRun, limits);
        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        return result;
    }

    private string Folder(string id) =>
        Archive.Paths.Single(p => p.StartsWith("messages/", StringComparison.Ordinal) && p.EndsWith("/manifest.json", StringComparison.Ordinal)
            && JsonNode.Parse(Archive.Content(p))!["uidl"]!.GetValue<string>() == id)[..^"/manifest.json".Length];

    private JsonObject Manifest(string folder) => JsonNode.Parse(Archive.Content($"{folder}/manifest.json"))!.AsObject();

    private List<string> Writes() => [.. Archive.Events.Where(e => !e.StartsWith("persist", StringComparison.Ordinal))];

    [Fact]
    public async Task Reprocess_StoredAsDecodingGivesThem_WritesNothing()
    {
        await IngestAsync(("u1", ScriptedServer.Message(1)), ("u2", WithAttachments(2, "a.pdf", "b.png")));
        Archive.Events.Clear();

        var result = await ReprocessOkAsync();

        Assert.Equal((2, 2, 0, 0), (result.Examined, result.Unchanged, result.Rewritten, result.Restored));
        Assert.Empty(Archive.Events);
        Assert.Empty(_told);
    }

    [Fact]
    public async Task Reprocess_AttachmentRemovedFromItsFolder_WritesItBackThenTheManifestAndASecondPassChangesNothing()
    {
        await IngestAsync(("u1", WithAttachments(1, "a.pdf", "b.png")));
        var folder = Folder("u1");
        var removed = $"{folder}/attachments/02-b.png";
        var content = Archive.Content(removed)!;
        var before = Manifest(folder);
        await Archive.DeleteAsync(removed, CancellationToken.None);
        Archive.Events.Clear();

        var result = await ReprocessOkAsync();

        Assert.Equal(1, result.Restored);
        Assert.Equal([$"write {removed}", $"write {folder}/manifest.json"], Writes());
        Assert.Equal(content, Archive.Content(removed));
        var after = Manifest(folder);
        Assert.Equal(_harness.Time.GetUtcNow(), after["reprocessedAt"]!.GetValue<DateTimeOffset>());
        after.Remove("reprocessedAt");
        before.Remove("reprocessedAt");
        Assert.True(JsonNode.DeepEquals(before, after), after.ToJsonString());
        var told = Assert.Single(_told);
        Assert.Equal((ReprocessChange.Restored, folder, "u1"), (told.Change, told.Folder, told.Uidl));
        Assert.Equal(["attachments/02-b.png"], told.Written);

        Archive.Events.Clear();
        var second = await ReprocessOkAsync();

        Assert.Equal((1, 1), (second.Examined, second.Unchanged));
        Assert.Empty(Archive.Events);
    }

    [Fact]
    public async Task Reprocess_ManifestNamesWhatDecodingNoLongerGives_RewritesItKeepsRetrievalWarningsAndDeletesTheRestAfterTheManifest()
    {
        await IngestAsync(("u1", WithAttachments(1, "a.pdf")));
        var folder = Folder("u1");
        const string retrieval = "RETR returned 5 bytes but LIST announced 9000: the server may have cut the message short. It is stored as received.";
        var stale = Manifest(folder);
        stale["attachments"]!.AsArray().Add(new JsonObject
        {
            ["path"] = "attachments/09-old.bin", ["fileName"] = "old.bin", ["contentType"] = "application/octet-stream",
            ["size"] = 3, ["sha256"] = "00", ["inline"] = false, ["contentId"] = null, ["source"] = "mime",
        });
        stale["warnings"] = new JsonArray(retrieval, "Skipped a image/png part that could not be read: an old decoder's warning");
        await WriteAsync($"{folder}/manifest.json", stale.ToJsonString());
        await WriteAsync($"{folder}/attachments/09-old.bin", "old");
        Archive.Events.Clear();

        var result = await ReprocessOkAsync();

        Assert.Equal(1, result.Rewritten);
        Assert.Equal([$"write {folder}/manifest.json", $"delete {folder}/attachments/09-old.bin"], Writes());
        Assert.Equal(["persist", $"delete {folder}/attachments/09-old.bin"], Archive.Events.Skip(1));
        var manifest = Manifest(folder);
        Assert.Equal(["attachments/01-a.pdf"], manifest["attachments"]!.AsArray().Select(a => a!["path"]!.GetValue<string>()));
        Assert.Equal([retrieval], manifest["warnings"]!.AsArray().Select(w => w!.GetValue<string>()));
        Assert.Equal(["attachments/09-old.bin"], Assert.Single(_told).Deleted);
    }

    [Fact]
    public async Task Reprocess_DryRun_CountsWhatItWouldDoAndWritesNothing()
    {
        await IngestAsync(("u1", WithAttachments(1, "a.pdf")), ("u9", ScriptedServer.Nested(9, 40)));
        await Archive.DeleteAsync($"{Folder("u1")}/attachments/01-a.pdf", CancellationToken.None);
        Archive.Events.Clear();

        var stored = await ReprocessOkAsync(dryRun: true);
        var quarantined = await ReprocessOkAsync(quarantine: true, dryRun: true, limits: new DecoderLimits { MaxDepth = 64 });

        Assert.Equal((true, 1), (stored.DryRun, stored.Restored));
        Assert.Equal((true, 1), (quarantined.DryRun, quarantined.FromQuarantine));
        Assert.Contains("dry run (nothing written)", stored.Summary, StringComparison.Ordinal);
        Assert.Empty(Archive.Events);
        Assert.Empty(_told);
    }

    [Fact]
    public async Task Reprocess_QuarantinedMessageThatDecodesNow_MovesIntoMessagesRawFirstAndTheLedgerSaysStored()
    {
        var nested = ScriptedServer.Nested(9, 40);
        await IngestAsync(("u1", ScriptedServer.Message(1)), ("u9", nested));
        Assert.Equal(EntryState.Quarantined, (await _harness.LedgerAsync()).Find("u9")!.State);
        var record = Assert.Single(_harness.QuarantineRecords());
        var key = ArchiveLayout.MessageKey(Mailbox, "u9");
        Archive.Events.Clear();

        var result = await ReprocessOkAsync(quarantine: true, limits: new DecoderLimits { MaxDepth = 64 });

        Assert.Equal((1, 1, 0), (result.Examined, result.FromQuarantine, result.StillFailing));
        var folder = $"messages/{Mailbox}/2026/11/03/{key}";
        Assert.Equal(Encoding.UTF8.GetBytes(nested), Archive.Content($"{folder}/message.eml"));
        Assert.DoesNotContain(Archive.Paths, p => p.StartsWith("quarantine/", StringComparison.Ordinal));
        var events = Archive.Events.ToList();
        Assert.Equal($"write {folder}/message.eml", events[0]);
        Assert.Equal(
            [$"write {folder}/manifest.json", "persist", $"append {LedgerStore.JournalPath(Mailbox, 0)}", "persist",
             $"delete quarantine/{Mailbox}/{key}/message.eml", $"delete quarantine/{Mailbox}/{key}/error.json"],
            events.SkipWhile(e => e != $"write {folder}/manifest.json"));
        var manifest = Manifest(folder);
        Assert.Equal(record["quarantinedAt"]!.GetValue<DateTimeOffset>(), manifest["ingestedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(MessageDecoder.Version, manifest["decoderVersion"]!.GetValue<int>());
        Assert.Empty(manifest["warnings"]!.AsArray());
        var entry = (await _harness.LedgerAsync()).Find("u9")!;
        Assert.Equal((EntryState.Stored, null), (entry.State, entry.Key));
        var told = Assert.Single(_told);
        Assert.Equal((ReprocessChange.FromQuarantine, key, "message.eml"), (told.Change, told.Key, told.Written[0]));
    }

    [Fact]
    public async Task Reprocess_QuarantinedMessageStillFailing_StaysWithTheNewErrorWrittenOnce()
    {
        await IngestAsync(("u9", ScriptedServer.Nested(9, 40)));
        var key = ArchiveLayout.MessageKey(Mailbox, "u9");
        Archive.Events.Clear();

        var result = await ReprocessOkAsync(quarantine: true, limits: new DecoderLimits { MaxDepth = 35 });

        Assert.Equal((1, 0, 1), (result.Examined, result.FromQuarantine, result.StillFailing));
        Assert.Equal([$"write quarantine/{Mailbox}/{key}/error.json"], Writes());
        Assert.Contains("35 levels", Assert.Single(_harness.QuarantineRecords())["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(EntryState.Quarantined, (await _harness.LedgerAsync()).Find("u9")!.State);

        Archive.Events.Clear();
        await ReprocessOkAsync(quarantine: true, limits: new DecoderLimits { MaxDepth = 35 });

        Assert.Empty(Archive.Events);
    }

    [Fact]
    public async Task Reprocess_KilledAfterTheMovedMessagesManifest_NextPassFinishesTheMove()
    {
        await IngestAsync(("u9", ScriptedServer.Nested(9, 40)));
        var limits = new DecoderLimits { MaxDepth = 64 };
        _harness.OnStep = (step, _) =>
        {
            if (step == IngestStep.ReprocessManifestWritten)
            {
                throw new InvalidOperationException("killed");
            }
        };
        var killed = await ReprocessAsync(quarantine: true, limits: limits);
        Assert.Equal(MailboxRunStatus.Failed, killed.Status);
        Assert.Single(_harness.Manifests());
        Assert.Single(_harness.QuarantineRecords());
        _harness.OnStep = (_, _) => { };

        var result = await ReprocessOkAsync(quarantine: true, limits: limits);

        Assert.Equal(1, result.FromQuarantine);
        Assert.Single(_harness.Manifests());
        Assert.DoesNotContain(Archive.Paths, p => p.StartsWith("quarantine/", StringComparison.Ordinal));
        Assert.Equal(EntryState.Stored, (await _harness.LedgerAsync()).Find("u9")!.State);
        Assert.Empty(Assert.Single(_told).Written);
    }

    [Fact]
    public async Task Reprocess_LockLostWhileMovingOutOfQuarantine_StopsBeforeTheLedgerAndTheDeletionsAndNamesTheLoss()
    {
        await IngestAsync(("u9", ScriptedServer.Nested(9, 40)));
        var limits = new DecoderLimits { MaxDepth = 64 };
        _harness.OnStep = (step, _) => Archive.LocksLost |= step == IngestStep.ReprocessManifestWritten;
        Archive.Events.Clear();

        var lost = await ReprocessAsync(quarantine: true, limits: limits);

        Assert.Equal(MailboxRunStatus.Failed, lost.Status);
        Assert.Contains("the lock on mailbox support was lost", lost.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Archive.Events, e => e.StartsWith("append", StringComparison.Ordinal) || e.StartsWith("delete", StringComparison.Ordinal));
        Assert.Single(_harness.QuarantineRecords());
        Assert.Equal(EntryState.Quarantined, (await _harness.LedgerAsync()).Find("u9")!.State);

        Archive.LocksLost = false;
        _harness.OnStep = (_, _) => { };
        var result = await ReprocessOkAsync(quarantine: true, limits: limits);

        Assert.Equal(1, result.FromQuarantine);
        Assert.Equal(EntryState.Stored, (await _harness.LedgerAsync()).Find("u9")!.State);
        Assert.Empty(_harness.QuarantineRecords());
    }

    [Fact]
    public async Task Reprocess_QuarantinedUnderAKeyAnotherMessageNowHolds_MovesUnderTheKeyOfAReusedId()
    {
        var nested = ScriptedServer.Nested(9, 40);
        await IngestAsync(("u9", nested));
        var key = ArchiveLayout.MessageKey(Mailbox, "u9");
        await StoreAsync("u9", ScriptedServer.Message(3));

        var result = await ReprocessOkAsync(quarantine: true, limits: new DecoderLimits { MaxDepth = 64 });

        Assert.Equal(1, result.FromQuarantine);
        var reused = ArchiveLayout.ReusedUidlKey(key, Sha256(nested));
        var manifest = Manifest($"messages/{Mailbox}/2026/11/03/{reused}");
        Assert.Equal(reused, manifest["key"]!.GetValue<string>());
        Assert.Equal([RetrievalWarnings.ForReusedId("u9", reused)], manifest["warnings"]!.AsArray().Select(w => w!.GetValue<string>()));
        Assert.Equal(reused, (await _harness.LedgerAsync()).Find("u9")!.Key);
        Assert.Equal(2, _harness.Manifests().Count);
    }

    [Fact]
    public async Task Reprocess_RawMessageMissing_CountsThatMessageFailedAndGoesOnWithTheOthers()
    {
        await IngestAsync(("u1", ScriptedServer.Message(1)), ("u2", ScriptedServer.Message(2)));
        await Archive.DeleteAsync($"{Folder("u1")}/message.eml", CancellationToken.None);

        var result = await ReprocessAsync();

        Assert.Equal(MailboxRunStatus.Failed, result.Status);
        Assert.Equal((2, 1, 1), (result.Examined, result.Unchanged, result.Failed));
        Assert.Contains("message.eml is missing", result.Error, StringComparison.Ordinal);
        Assert.Contains(Folder("u1"), result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reprocess_MailboxLockHeld_FailsWithoutReadingAnything()
    {
        await IngestAsync(("u1", ScriptedServer.Message(1)));
        await using var held = await Archive.TryLockMailboxAsync(Mailbox, CancellationToken.None);

        var result = await ReprocessAsync();

        Assert.Equal((MailboxRunStatus.Failed, 0), (result.Status, result.Examined));
        Assert.Contains("another worker holds the mailbox lock", result.Summary, StringComparison.Ordinal);
    }

    private Task<string> WriteAsync(string path, string content) =>
        Archive.WriteAsync(
            path,
            new ArchiveObjectInfo("application/octet-stream", ArchiveObjectKind.Attachment, Mailbox),
            (stream, ct) => stream.WriteAsync(Encoding.UTF8.GetBytes(content), ct).AsTask(),
            WriteCondition.None,
            CancellationToken.None);

    /// <summary>Stores a message the way the run does, without the ledger: another message under an ID the ledger holds.</summary>
    private async Task StoreAsync(string id, string content)
    {
        var spool = Path.Combine(Archive.SpoolFolder, Mailbox);
        Directory.CreateDirectory(spool);
        SpooledMessage spooled;
        using (var writer = SpoolWriter.Create(spool))
        {
            await writer.Content.WriteAsync(Encoding.UTF8.GetBytes(content));
            spooled = writer.Complete();
        }

        var archiver = new MessageArchiver(Archive, new MessageDecoder(new DecoderLimits()), _harness.StepObserver(), _harness.Time, NullLogger<MessageArchiver>.Instance);
        await archiver.StoreAsync(Mailbox, new ListedMessage(id), spooled, [], CancellationToken.None);
    }

    private static string Sha256(string content) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    private sealed class Told(List<ReprocessedMessage> told) : IReprocessedMessageSink
    {
        public Task ReprocessedAsync(ReprocessedMessage message, CancellationToken cancellationToken)
        {
            lock (told)
            {
                told.Add(message);
            }

            return Task.CompletedTask;
        }
    }
}
