using System.Globalization;
using System.Text;
using MailIngest.Archive;
using MailIngest.Decoding;
using MailIngest.IntegrationTests.Infrastructure;
using MailIngest.IO;
using MailIngest.Sources;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailIngest.IntegrationTests.Engine;

/// <summary>The archiver against each real store: re-storing rewrites, a reused UIDL never overwrites.</summary>
public abstract class MessageArchiverTests(StoreKind store) : IAsyncLifetime
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "mailingest-archiver-" + Guid.NewGuid().ToString("N"));
    private ArchiveUnderTest _archive = null!;
    private MessageArchiver _archiver = null!;
    private IMailArchive _store = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_temp);
        _archive = await ArchiveUnderTest.CreateAsync(store, _temp);
        _store = _archive.Open();
        _archiver = new MessageArchiver(
            _store,
            new MessageDecoder(new DecoderLimits()),
            new IgnoreSteps(),
            TimeProvider.System,
            NullLogger<MessageArchiver>.Instance);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _archive.DisposeAsync();
        }
        finally
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    private Task<StoredMessage> StoreAsync(string uidl, byte[] raw) => StoreAsync(new ListedMessage(uidl), raw);

    private async Task<StoredMessage> StoreAsync(ListedMessage listed, byte[] raw)
    {
        var spool = Path.Combine(_store.SpoolFolder, "support");
        Directory.CreateDirectory(spool);
        SpooledMessage spooled;
        using (var writer = SpoolWriter.Create(spool))
        {
            await writer.Content.WriteAsync(raw);
            spooled = writer.Complete();
        }

        return await _archiver.StoreAsync("support", listed, spooled, [], CancellationToken.None);
    }

    private string Read(StoredMessage message, string name) => Encoding.UTF8.GetString(_archive.Read($"{message.Folder}/{name}")!);

    private static byte[] Message(string body) => Encoding.ASCII.GetBytes(
        $"From: a@example.com\r\nDate: Mon, 02 Mar 2026 09:00:00 +0000\r\nSubject: s\r\n\r\n{body}\r\n");

    [Fact]
    public async Task StoreAsync_SameMessageTwice_RewritesTheSameFolder()
    {
        var first = await StoreAsync("uidl-1", Message("one"));
        var second = await StoreAsync("uidl-1", Message("one"));

        Assert.Equal(first.Folder, second.Folder);
        Assert.Single(_archive.Manifests());
    }

    [Fact]
    public async Task StoreAsync_ReusedUidlWithOtherContent_GetsItsOwnKeyAndAWarning()
    {
        var first = await StoreAsync("uidl-1", Message("one"));
        var firstManifest = Read(first, "manifest.json");

        var second = await StoreAsync("uidl-1", Message("two"));

        Assert.NotEqual(first.Folder, second.Folder);
        Assert.StartsWith(first.Key, second.Key, StringComparison.Ordinal);
        Assert.Equal(firstManifest, Read(first, "manifest.json"));
        Assert.Contains("one", Read(first, "message.eml"), StringComparison.Ordinal);
        Assert.Contains("two", Read(second, "message.eml"), StringComparison.Ordinal);
        Assert.Contains("reused ID 'uidl-1'", Read(second, "manifest.json"), StringComparison.Ordinal);

        // Fetching the reused message again rewrites its own folder, still without touching the first.
        Assert.Equal(second.Folder, (await StoreAsync("uidl-1", Message("two"))).Folder);
    }

    [Fact]
    public async Task StoreAsync_ReusedUidlWhoseMessageAlsoFailsToDecode_IsQuarantinedUnderItsOwnKeyBesideTheFirst()
    {
        var first = await StoreAsync("uidl-1", Undecodable("one"));
        var firstRaw = Read(first, "message.eml");

        var second = await StoreAsync("uidl-1", Undecodable("two"));

        Assert.True(first.Quarantined && second.Quarantined);
        Assert.NotEqual(first.Folder, second.Folder);
        Assert.Equal(firstRaw, Read(first, "message.eml"));
        Assert.Contains("two", Read(second, "message.eml"), StringComparison.Ordinal);
        Assert.Equal(first.Folder, (await StoreAsync("uidl-1", Undecodable("one"))).Folder);
    }

    [Fact]
    public async Task StoreAsync_OneGmailMessageUnderTwoLabels_IsStoredOnceUnderItsGmailKey()
    {
        var inbox = new ListedMessage("1:5:77@INBOX") { Folder = "INBOX", UidValidity = 1, Uid = 5, StorageName = "gmail-77" };
        var label = new ListedMessage("9:3:77@Work") { Folder = "Work", UidValidity = 9, Uid = 3, StorageName = "gmail-77" };

        var first = await StoreAsync(inbox, Message("one"));
        var second = await StoreAsync(label, Message("one"));

        Assert.Equal(first.Folder, second.Folder);
        var manifest = Assert.Single(_archive.Manifests()).Json;
        Assert.StartsWith("gmail-77-", (string?)manifest["key"], StringComparison.Ordinal);
        // The manifest names one of the two listings, whole (a store may rewrite a manifest whose raw bytes it holds already).
        Assert.Equal($"{manifest["uidValidity"]}:{manifest["uid"]}:77@{manifest["folder"]}", (string?)manifest["uidl"]);
    }

    [Fact]
    public async Task StoreAsync_UndecodableImapMessage_KeepsItsOriginForReprocess()
    {
        var listed = new ListedMessage("4:2@Archive") { Folder = "Archive", UidValidity = 4, Uid = 2 };

        var quarantined = await StoreAsync(listed, Undecodable("one"));

        Assert.True(quarantined.Quarantined);
        Assert.Contains("\"origin\": {", Read(quarantined, "error.json"), StringComparison.Ordinal);
        Assert.Contains("\"folder\": \"Archive\"", Read(quarantined, "error.json"), StringComparison.Ordinal);
    }

    /// <summary>A message deeper than the decoder's MaxDepth, so it is quarantined with its raw bytes.</summary>
    private static byte[] Undecodable(string marker)
    {
        var text = new StringBuilder($"From: a@example.com\r\nSubject: {marker}\r\n");
        for (var depth = 0; depth < 40; depth++)
        {
            text.Append(CultureInfo.InvariantCulture, $"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b{depth}\"\r\n\r\n--b{depth}\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("Content-Type: text/plain\r\n\r\nx\r\n").ToString());
    }

    private sealed class IgnoreSteps : IIngestObserver
    {
        public void OnStep(string mailbox, IngestStep reached, string? messageId)
        {
        }
    }
}

public sealed class MessageArchiverOnFileSystemTests() : MessageArchiverTests(StoreKind.FileSystem);

public sealed class MessageArchiverOnAzureBlobTests() : MessageArchiverTests(StoreKind.AzureBlob);
