using System.Text;
using MailIngest.Archive;
using MailIngest.Decoding;
using MailIngest.Ingestion;
using MailIngest.IO;
using MailIngest.Storage.FileSystem;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailIngest.IntegrationTests.Engine;

/// <summary>The archiver against the real FileSystem store: re-storing rewrites, a reused UIDL never overwrites.</summary>
public sealed class MessageArchiverTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mailingest-archiver-" + Guid.NewGuid().ToString("N"));
    private readonly MessageArchiver _archiver;

    public MessageArchiverTests()
    {
        _archiver = new MessageArchiver(
            new FileSystemMailArchive(Path.Combine(_root, "data")),
            new MessageDecoder(new DecoderLimits()),
            new IgnoreSteps(),
            TimeProvider.System,
            NullLogger<MessageArchiver>.Instance);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<StoredMessage> StoreAsync(string uidl, byte[] raw)
    {
        await using var file = RawMessageFile.Create(Path.Combine(_root, "tmp"));
        await file.FillAsync(new MemoryStream(raw), CancellationToken.None);
        return await _archiver.StoreAsync("support", uidl, file, CancellationToken.None);
    }

    private string Read(StoredMessage message, string name) => File.ReadAllText(Path.Combine(_root, "data", message.Folder, name));

    private static byte[] Message(string body) => Encoding.ASCII.GetBytes(
        $"From: a@example.com\r\nDate: Mon, 02 Mar 2026 09:00:00 +0000\r\nSubject: s\r\n\r\n{body}\r\n");

    [Fact]
    public async Task StoreAsync_SameMessageTwice_RewritesTheSameFolder()
    {
        var first = await StoreAsync("uidl-1", Message("one"));
        var second = await StoreAsync("uidl-1", Message("one"));

        Assert.Equal(first.Folder, second.Folder);
        Assert.Single(Directory.GetFiles(Path.Combine(_root, "data", "messages"), "manifest.json", SearchOption.AllDirectories));
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
