using System.Text.Json.Nodes;
using MailIngest.Decoding;
using MailIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MailIngest.IntegrationTests.Engine;

/// <summary>
/// Every message of the shared corpus and of the demo mailbox, through a real Dovecot and <c>mailingest once</c>: each
/// stored with raw bytes equal to what RETR returned, bodies decoded, TNEF names as expected, stored names safe.
/// </summary>
public abstract class CorpusEndToEndTests(ITestOutputHelper output, StoreKind store) : MailboxTest("corpus", store)
{
    private readonly Dictionary<string, byte[]> _delivered = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var sources = Corpus.Messages().Select(path => (Name: "corpus/" + path, Path: Corpus.PathOf(path)))
            .Concat(DemoMail.Files().Select(path => (Name: "demo/" + Path.GetFileName(path), Path: path)));
        foreach (var (name, path) in sources)
        {
            var raw = TestMail.Crlf(await File.ReadAllBytesAsync(path));
            _delivered[name] = raw;
            await Dovecot.DeliverAsync(User, raw);
        }
    }

    [Fact]
    public async Task Once_EveryCorpusMessage_IsStoredWithExactRawBytesAndDecodedParts()
    {
        Configure();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = await Workspace.OnceAsync();
        var seconds = clock.Elapsed.TotalSeconds;

        Assert.True(run.ExitCode == 0, run.ToString());
        var manifests = Workspace.Manifests();
        var byRaw = manifests.ToDictionary(m => Convert.ToHexString(m.Raw));
        Assert.Empty(Workspace.QuarantinedFolders());
        Assert.Equal(_delivered.Count, manifests.Count);
        foreach (var (name, raw) in _delivered)
        {
            Assert.True(byRaw.ContainsKey(Convert.ToHexString(raw)), $"{name} was not stored with its exact bytes");
        }

        foreach (var manifest in manifests)
        {
            AssertStoredObjectsMatchManifest(manifest);
        }

        var attachments = manifests.SelectMany(m => m.Attachments).ToList();
        output.WriteLine($"{Store}: {manifests.Count} messages stored in {seconds:F1} s by one run of mailingest once " +
            $"({_delivered.Values.Sum(raw => (long)raw.Length)} raw bytes)");
        output.WriteLine($"{manifests.Count} messages stored ({Corpus.Messages().Count()} corpus, {manifests.Count - Corpus.Messages().Count()} demo), " +
            $"{manifests.Count(m => m.Json["bodies"]!.AsArray().Count > 0)} with bodies, {attachments.Count} attachments: " +
            string.Join(", ", attachments.GroupBy(a => a["source"]!.GetValue<string>()).Select(g => $"{g.Count()} {g.Key}")) +
            $", {attachments.Count(a => a["inline"]!.GetValue<bool>())} inline");
    }

    [CorpusTheory]
    [InlineData("attachments")]
    [InlineData("one-file")]
    [InlineData("two-files")]
    public async Task Once_TnefMessage_StoresTheFilesInsideWinmailDat(string name)
    {
        Configure();
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
        var expected = (await File.ReadAllLinesAsync(Corpus.PathOf($"tnef/{name}.expected-attachments.txt")))
            .Where(line => line.Length > 0).Order(StringComparer.Ordinal);

        var manifest = Workspace.Manifests().Single(m => m.Raw.SequenceEqual(_delivered[$"corpus/tnef/{name}.eml"]));

        Assert.Equal(expected, manifest.Attachments
            .Where(a => a["source"]!.GetValue<string>() == "tnef")
            .Select(a => a["fileName"]!.GetValue<string>())
            .Order(StringComparer.Ordinal));
    }

    /// <summary>Each listed object exists inside the message folder with the listed size and hash, and nothing unlisted is there.</summary>
    private static void AssertStoredObjectsMatchManifest(StoredManifest manifest)
    {
        // Archive paths resolved under a stand-in root: a listed path that climbs out of its folder would show there.
        var root = Path.GetFullPath("/archive-under-test");
        var folder = Path.GetFullPath(Path.Combine(root, manifest.Folder));
        var listed = new[] { manifest.Json["raw"]!.AsObject() }
            .Concat(manifest.Json["bodies"]!.AsArray().Select(b => b!.AsObject()))
            .Concat(manifest.Attachments)
            .ToList();
        foreach (var entry in listed)
        {
            var path = Path.GetFullPath(Path.Combine(folder, entry["path"]!.GetValue<string>()));
            Assert.StartsWith(folder + Path.DirectorySeparatorChar, path, StringComparison.Ordinal);
            var bytes = manifest.Archive.Read(Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'));
            Assert.NotNull(bytes);
            Assert.Equal(entry["size"]!.GetValue<long>(), bytes.Length);
            Assert.Equal(entry["sha256"]!.GetValue<string>(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        }

        var stored = manifest.Archive.List(manifest.Folder + "/")
            .Select(path => path[(manifest.Folder.Length + 1)..])
            .Order(StringComparer.Ordinal);
        Assert.Equal(
            listed.Select(e => e["path"]!.GetValue<string>()).Append("manifest.json").Order(StringComparer.Ordinal),
            stored);
    }
}

public sealed class CorpusEndToEndOnFileSystemTests(ITestOutputHelper output) : CorpusEndToEndTests(output, StoreKind.FileSystem);

public sealed class CorpusEndToEndOnAzureBlobTests(ITestOutputHelper output) : CorpusEndToEndTests(output, StoreKind.AzureBlob);
