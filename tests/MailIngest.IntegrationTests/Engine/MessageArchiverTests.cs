using System.Text;
using MailIngest.Archive;
using MailIngest.Decoding;
using MailIngest.IntegrationTests.Infrastructure;
using MailIngest.Ingestion;
using MailIngest.IO;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailIngest.IntegrationTests.Engine;

/// <summary>The archiver against each real store: re-storing rewrites, a reused UIDL never overwrites.</summary>
public abstract class MessageArchiverTests(StoreKind store) : IAsyncLifetime
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "mailingest-archiver-" + Guid.NewGuid().ToString("N"));
    private ArchiveUnderTest _archive = null!;
    private MessageArchiver _archiver = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_temp);
        _archive = await ArchiveUnderTest.CreateAsync(store, _temp);
        _archiver = new MessageArchiver(
            _archive.Open(),
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

    private async Task<StoredMessage> StoreAsync(string uidl, byte[] raw)
    {
        using var content = new MemoryStream(raw);
        return await _archiver.StoreAsync("support", uidl, RawMessage.Of(content), CancellationToken.None);
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
        Assert.Contains("reused UIDL", Read(second, "manifest.json"), StringComparison.Ordinal);

        // Fetching the reused message again rewrites its own folder, still without touching the first.
        Assert.Equal(second.Folder, (await StoreAsync("uidl-1", Message("two"))).Folder);
    }

    private sealed class IgnoreSteps : IIngestObserver
    {
        public void OnStep(string mailbox, IngestStep reached)
        {
        }
    }
}

public sealed class MessageArchiverOnFileSystemTests() : MessageArchiverTests(StoreKind.FileSystem);

public sealed class MessageArchiverOnAzureBlobTests() : MessageArchiverTests(StoreKind.AzureBlob);
