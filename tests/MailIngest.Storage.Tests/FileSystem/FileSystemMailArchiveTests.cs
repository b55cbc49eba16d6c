using System.Text;
using MailIngest.Archive;
using MailIngest.IntegrationTests.Infrastructure;
using MailIngest.IntegrationTests.Storage;
using MailIngest.Storage.FileSystem;

namespace MailIngest.Storage.Tests.FileSystem;

public sealed class FileSystemMailArchiveTests : IDisposable
{
    private static readonly ArchiveObjectInfo Json = new("application/json", ArchiveObjectKind.Ledger, "support");
    private static readonly ArchiveObjectInfo Plain = new("text/plain", ArchiveObjectKind.Body, "support");

    private readonly string _root = Path.Combine(Path.GetTempPath(), "mailingest-fs-" + Guid.NewGuid().ToString("N"));
    private readonly FileSystemMailArchive _archive;

    public FileSystemMailArchiveTests()
    {
        Directory.CreateDirectory(_root);
        _archive = new FileSystemMailArchive(_root, TimeProvider.System);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Func<Stream, CancellationToken, Task> Text(string text) =>
        (stream, ct) => stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct).AsTask();

    /// <summary>A file in the mailbox's spool folder, as the core leaves one for <see cref="FileSystemMailArchive.StoreFileAsync"/>.</summary>
    private string Spooled(string text, string mailbox = "support")
    {
        var folder = Path.Combine(_archive.SpoolFolder, mailbox);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, Guid.NewGuid().ToString("N"));
        File.WriteAllText(file, text);
        return file;
    }

    private async Task<List<string>> ListAsync(string prefix) => (await _archive.ListAsync(prefix, default).ToListAsync()).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task WriteAsync_ThenReadAsync_ReturnsTheContent()
    {
        await _archive.WriteAsync("messages/a/b/manifest.json", Json, Text("{}"), WriteCondition.None, default);

        var read = await _archive.ReadAsync("messages/a/b/manifest.json", default);

        Assert.Equal("{}", Encoding.UTF8.GetString(read!.Content.Span));
        Assert.True(File.Exists(Path.Combine(_root, "messages", "a", "b", "manifest.json")));
    }

    [Fact]
    public async Task ReadAsync_Missing_ReturnsNull()
    {
        Assert.Null(await _archive.ReadAsync("state/nobody.json", default));
    }

    [Fact]
    public async Task WriteAsync_ContentThrows_LeavesNoFileAndNoTemp()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => _archive.WriteAsync(
            "x/y.txt", Plain, (_, _) => throw new InvalidOperationException("boom"), WriteCondition.None, default));

        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "x")));
    }

    [Theory]
    [InlineData(ArchiveObjectKind.Raw, "message.eml")]
    [InlineData(ArchiveObjectKind.Manifest, "manifest.json")]
    public async Task WriteAsync_RawOrManifestIntoAFolderAKilledWriterLeftTempsIn_DeletesThemAndKeepsTheRest(ArchiveObjectKind kind, string name)
    {
        var folder = Path.Combine(_root, "m", "key");
        Directory.CreateDirectory(Path.Combine(folder, "attachments"));
        await File.WriteAllTextAsync(Path.Combine(folder, ".0123.tmp"), "half a body");
        await File.WriteAllTextAsync(Path.Combine(folder, "attachments", ".4567.tmp"), "half an attachment");
        await File.WriteAllTextAsync(Path.Combine(folder, "body.txt"), "a body");
        var info = new ArchiveObjectInfo("application/octet-stream", kind, "support");

        await _archive.WriteAsync($"m/key/{name}", info, Text("content"), WriteCondition.None, default);

        Assert.Equal(["body.txt", name], Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task WriteAsync_BodyIntoAFolderWithATempFile_LeavesTheTempFile()
    {
        var folder = Path.Combine(_root, "m", "key");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, ".0123.tmp"), "another write's");
        var body = new ArchiveObjectInfo("text/plain", ArchiveObjectKind.Body, "support");

        await _archive.WriteAsync("m/key/body.txt", body, Text("a body"), WriteCondition.None, default);

        Assert.True(File.Exists(Path.Combine(folder, ".0123.tmp")));
    }

    [Fact]
    public async Task TryLockMailboxAsync_LedgerTempFileAKilledWriteLeft_IsRemovedAndOtherMailboxesKeepTheirs()
    {
        // The temp file a ledger write uses, as a write killed at that moment leaves it.
        var state = Path.Combine(_root, "state");
        string? leftover = null;
        await _archive.WriteAsync("state/support.json", Json, (stream, ct) =>
        {
            leftover = Assert.Single(Directory.GetFiles(state, ".*.tmp"));
            return stream.WriteAsync("{}"u8.ToArray(), ct).AsTask();
        }, WriteCondition.MustNotExist, default);
        await File.WriteAllTextAsync(leftover!, "half a ledger");
        // Dots are allowed in mailbox names: support.b's ledger temp file must not pass for support's.
        string[] others = [$".support.b.json.{Guid.NewGuid():N}.tmp", $".sales.json.{Guid.NewGuid():N}.tmp"];
        foreach (var other in others)
        {
            await File.WriteAllTextAsync(Path.Combine(state, other), "another mailbox's ledger, being written");
        }

        await using var held = await _archive.TryLockMailboxAsync("support", default);

        Assert.Equal(others.Order(StringComparer.Ordinal), Directory.GetFiles(state, ".*.tmp").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("{}", await File.ReadAllTextAsync(Path.Combine(state, "support.json")));
    }

    [Fact]
    public async Task WriteAsync_NameNearTheFileNameLimit_IsWritten()
    {
        var name = new string('n', 250) + ".txt";

        await _archive.WriteAsync($"x/{name}", Plain, Text("long"), WriteCondition.None, default);

        Assert.Equal("long", await File.ReadAllTextAsync(Path.Combine(_root, "x", name)));
    }

    [Fact]
    public void FileSystemSync_Flush_FlushesAnExistingFolderAndNamesAMissingOne()
    {
        FileSystemSync.Flush(_root);

        var missing = Path.Combine(_root, "gone");
        var error = Assert.Throws<IOException>(() => FileSystemSync.Flush(missing));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PersistAsync_CalledWhileAnotherPersistFlushes_ReturnsOnlyAfterAFlushHasEnded()
    {
        // Two mailboxes share the archive: support's persist has begun the flush when sales's persist is called.
        using var flush = new GatedFlush();
        var archive = new FileSystemMailArchive(_root, TimeProvider.System, flushFileSystem: flush.Run);
        await archive.WriteAsync("messages/support/a/message.eml", Plain, Text("a"), WriteCondition.None, default);
        await archive.WriteAsync("messages/sales/b/message.eml", Plain, Text("b"), WriteCondition.None, default);
        var support = Task.Run(() => archive.PersistAsync(default));
        await flush.WaitUntilTheFirstHasBegunAsync();

        var sales = archive.PersistAsync(default);

        Assert.False(sales.IsCompleted, "sales's persist returned while the flush that would cover its write had not ended");
        flush.LetTheFirstEnd();
        await Task.WhenAll(support, sales);
        // That flush began after both writes, so it served both persists.
        Assert.Equal(1, flush.Count);
    }

    [Fact]
    public async Task PersistAsync_WriteCompletedAfterAFlushBegan_WaitsForAFlushThatBeganAfterIt()
    {
        using var flush = new GatedFlush();
        var archive = new FileSystemMailArchive(_root, TimeProvider.System, flushFileSystem: flush.Run);
        await archive.WriteAsync("messages/support/a/message.eml", Plain, Text("a"), WriteCondition.None, default);
        var support = Task.Run(() => archive.PersistAsync(default));
        await flush.WaitUntilTheFirstHasBegunAsync();
        await archive.WriteAsync("messages/sales/b/message.eml", Plain, Text("b"), WriteCondition.None, default);

        var sales = archive.PersistAsync(default);
        flush.LetTheFirstEnd();
        await Task.WhenAll(support, sales);

        Assert.Equal(2, flush.Count);
    }

    [Fact]
    public async Task PersistAsync_FlushFailed_TheNextPersistFlushesAgain()
    {
        var flushes = 0;
        var archive = new FileSystemMailArchive(_root, TimeProvider.System, flushFileSystem: root =>
        {
            if (++flushes == 1)
            {
                throw new IOException("the disk failed");
            }
        });
        await archive.WriteAsync("x/y.txt", Plain, Text("x"), WriteCondition.None, default);

        await Assert.ThrowsAsync<IOException>(() => archive.PersistAsync(default));
        await archive.PersistAsync(default);
        await archive.PersistAsync(default);

        Assert.Equal(2, flushes);
    }

    [Fact]
    public async Task WriteAsync_ExistingObject_IsReplacedWhole()
    {
        await _archive.WriteAsync("x/y.txt", Plain, Text("first, longer content"), WriteCondition.None, default);
        await _archive.WriteAsync("x/y.txt", Plain, Text("second"), WriteCondition.None, default);

        Assert.Equal("second", await File.ReadAllTextAsync(Path.Combine(_root, "x", "y.txt")));
        Assert.Single(Directory.GetFiles(Path.Combine(_root, "x")));
    }

    [Fact]
    public async Task WriteAsync_ConditionMatchesReadVersion_Succeeds()
    {
        var first = await _archive.WriteAsync("state/s.json", Json, Text("1"), WriteCondition.Matching(null), default);
        var read = await _archive.ReadAsync("state/s.json", default);

        var second = await _archive.WriteAsync("state/s.json", Json, Text("2"), WriteCondition.Matching(read!.Version), default);

        Assert.Equal(first, read.Version);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task WriteAsync_StaleVersion_ThrowsConflictAndKeepsTheNewer()
    {
        var v1 = await _archive.WriteAsync("state/s.json", Json, Text("1"), WriteCondition.Matching(null), default);
        await _archive.WriteAsync("state/s.json", Json, Text("2"), WriteCondition.Matching(v1), default);

        await Assert.ThrowsAsync<ArchiveConflictException>(() =>
            _archive.WriteAsync("state/s.json", Json, Text("3"), WriteCondition.Matching(v1), default));
        await Assert.ThrowsAsync<ArchiveConflictException>(() =>
            _archive.WriteAsync("state/s.json", Json, Text("3"), WriteCondition.Matching(null), default));

        Assert.Equal("2", await File.ReadAllTextAsync(Path.Combine(_root, "state", "s.json")));
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("messages/../../outside.txt")]
    [InlineData("/etc/passwd")]
    public async Task WriteAsync_PathLeavingTheRoot_IsRefused(string path)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _archive.WriteAsync(path, Plain, Text("x"), WriteCondition.None, default));
    }

    [Fact]
    public async Task TryLockMailboxAsync_HeldByAnother_ReturnsNullUntilReleased()
    {
        var other = new FileSystemMailArchive(_root, TimeProvider.System);
        var first = await _archive.TryLockMailboxAsync("support", default);

        Assert.NotNull(first);
        Assert.Null(await other.TryLockMailboxAsync("support", default));
        await using (var sales = await other.TryLockMailboxAsync("sales", default))
        {
            Assert.NotNull(sales);
        }

        await first.DisposeAsync();
        await using var second = await other.TryLockMailboxAsync("support", default);
        Assert.NotNull(second);
    }

    [Fact]
    [Trait(TestLane.Category, TestLane.Integration)] // As root, ReadOnlyFolder runs mount.
    public async Task TryLockMailboxAsync_ReadOnlyStateFolder_FailsNamingThePathAndTheErrorAndHoldsNothing()
    {
        // The lock file exists from an earlier run, as it does on every run but the first.
        await (await _archive.TryLockMailboxAsync("support", default))!.DisposeAsync();
        var state = Path.Combine(_root, "state");

        ArchiveUnavailableException error;
        using (new ReadOnlyFolder(state))
        {
            error = await Assert.ThrowsAsync<ArchiveUnavailableException>(() => _archive.TryLockMailboxAsync("support", default));
        }

        Assert.Contains(state, error.Message, StringComparison.Ordinal);
        Assert.Contains(error.InnerException!.Message, error.Message, StringComparison.Ordinal);
        await using var next = await new FileSystemMailArchive(_root, TimeProvider.System).TryLockMailboxAsync("support", default);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task TryLockMailboxAsync_HolderFileCannotBeWritten_FailsAndReleasesTheLock()
    {
        var holder = Path.Combine(_root, "state", "support.json.lock.holder");
        Directory.CreateDirectory(holder);

        var error = await Assert.ThrowsAsync<ArchiveUnavailableException>(() => _archive.TryLockMailboxAsync("support", default));

        Assert.Contains(holder, error.Message, StringComparison.Ordinal);
        Directory.Delete(holder);
        await using var next = await new FileSystemMailArchive(_root, TimeProvider.System).TryLockMailboxAsync("support", default);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task LockHolderAsync_NamesTheHolderWhileHeldAndNobodyAfterwards()
    {
        Assert.Null(await _archive.LockHolderAsync("support", default));

        var held = await _archive.TryLockMailboxAsync("support", default);
        var holder = await new FileSystemMailArchive(_root, TimeProvider.System).LockHolderAsync("support", default);
        await held!.DisposeAsync();

        Assert.StartsWith($"{Environment.MachineName} pid {Environment.ProcessId} since ", holder, StringComparison.Ordinal);
        Assert.Null(await _archive.LockHolderAsync("support", default));
    }

    [Fact]
    public async Task LockHolderAsync_HolderProcessGone_IsNobody()
    {
        Directory.CreateDirectory(Path.Combine(_root, "state"));
        await File.WriteAllTextAsync(Path.Combine(_root, "state", "support.json.lock.holder"), $"{Environment.MachineName} pid 999999999 since 2026-01-01 00:00:00Z\n");

        Assert.Null(await _archive.LockHolderAsync("support", default));
    }

    [Fact]
    public async Task OpenReadAsync_Existing_StreamsTheContentAndMissing_IsNull()
    {
        await _archive.WriteAsync("x/y.txt", Plain, Text("streamed"), WriteCondition.None, default);

        await using (var stream = await _archive.OpenReadAsync("x/y.txt", default))
        {
            Assert.Equal("streamed", await new StreamReader(stream!).ReadToEndAsync());
        }

        Assert.Null(await _archive.OpenReadAsync("x/missing.txt", default));
        Assert.Null(await _archive.OpenReadAsync("nowhere/missing.txt", default));
    }

    [Fact]
    public async Task ListAsync_Prefix_ListsItsObjectsButNoTempFilesAndNoSpool()
    {
        await _archive.WriteAsync("messages/support/a/message.eml", Plain, Text("a"), WriteCondition.None, default);
        await _archive.WriteAsync("messages/support/a/attachments/f.pdf", Plain, Text("f"), WriteCondition.None, default);
        await _archive.WriteAsync("messages/sales/b/message.eml", Plain, Text("b"), WriteCondition.None, default);
        await File.WriteAllTextAsync(Path.Combine(_root, "messages", "support", "a", ".0123.tmp"), "half");
        Spooled("on its way in");

        Assert.Equal(["messages/support/a/attachments/f.pdf", "messages/support/a/message.eml"], await ListAsync("messages/support/"));
        Assert.Equal(3, (await ListAsync("")).Count);
        Assert.Empty(await ListAsync("messages/nobody/"));
    }

    [Fact]
    public async Task StoreFileAsync_SpooledFile_IsRenamedIntoPlaceAndAStreamOpenOnItReadsOn()
    {
        var file = Spooled("the raw message");
        await using var open = File.OpenRead(file);

        await _archive.StoreFileAsync("messages/support/k/message.eml", Plain, file, WriteCondition.MustNotExist, default);

        Assert.False(File.Exists(file));
        Assert.Equal("the raw message", await new StreamReader(open).ReadToEndAsync());
        var stored = await _archive.ReadAsync("messages/support/k/message.eml", default);
        Assert.Equal("the raw message", Encoding.UTF8.GetString(stored!.Content.Span));
    }

    [Fact]
    public async Task StoreFileAsync_ConditionFails_ThrowsConflictAndLeavesTheFileAndTheObject()
    {
        await _archive.WriteAsync("q/message.eml", Plain, Text("first"), WriteCondition.None, default);
        var file = Spooled("second");

        await Assert.ThrowsAsync<ArchiveConflictException>(() => _archive.StoreFileAsync("q/message.eml", Plain, file, WriteCondition.MustNotExist, default));

        Assert.Equal("second", await File.ReadAllTextAsync(file));
        Assert.Equal("first", await File.ReadAllTextAsync(Path.Combine(_root, "q", "message.eml")));
    }

    [Fact]
    public async Task StoreFileAsync_NoCondition_ReplacesTheObject()
    {
        await _archive.WriteAsync("q/message.eml", Plain, Text("first"), WriteCondition.None, default);

        await _archive.StoreFileAsync("q/message.eml", Plain, Spooled("second"), WriteCondition.None, default);

        Assert.Equal("second", await File.ReadAllTextAsync(Path.Combine(_root, "q", "message.eml")));
    }

    [Fact]
    public async Task StoreFileAsync_FileOutsideTheSpool_IsRefused()
    {
        var outside = Path.Combine(_root, "elsewhere.eml");
        await File.WriteAllTextAsync(outside, "x");

        await Assert.ThrowsAsync<ArgumentException>(() => _archive.StoreFileAsync("q/message.eml", Plain, outside, WriteCondition.None, default));

        Assert.True(File.Exists(outside));
    }

    [Fact]
    public async Task AppendAsync_AtTheExpectedLength_AppendsAndReturnsTheNewLength()
    {
        var first = await _archive.AppendAsync("state/support.journal", "one\n"u8.ToArray(), 0, default);
        var second = await _archive.AppendAsync("state/support.journal", "two\n"u8.ToArray(), first, default);

        Assert.Equal(4, first);
        Assert.Equal(8, second);
        Assert.Equal("one\ntwo\n", await File.ReadAllTextAsync(Path.Combine(_root, "state", "support.journal")));
    }

    [Fact]
    public async Task AppendAsync_AnotherLength_ThrowsConflictAndAppendsNothing()
    {
        await _archive.AppendAsync("state/support.journal", "one\n"u8.ToArray(), 0, default);

        await Assert.ThrowsAsync<ArchiveConflictException>(() => _archive.AppendAsync("state/support.journal", "two\n"u8.ToArray(), 0, default));
        await Assert.ThrowsAsync<ArchiveConflictException>(() => _archive.AppendAsync("state/support.journal", "two\n"u8.ToArray(), 9, default));
        await Assert.ThrowsAsync<ArchiveConflictException>(() => _archive.AppendAsync("state/sales.journal", "one\n"u8.ToArray(), 4, default));

        Assert.Equal("one\n", await File.ReadAllTextAsync(Path.Combine(_root, "state", "support.journal")));
        Assert.False(File.Exists(Path.Combine(_root, "state", "sales.journal")));
    }

    [Fact]
    public async Task DeleteAsync_DeletesTheObjectAndMissingOnesAreNoError()
    {
        await _archive.WriteAsync("x/y.txt", Plain, Text("x"), WriteCondition.None, default);

        await _archive.DeleteAsync("x/y.txt", default);
        await _archive.DeleteAsync("x/y.txt", default);
        await _archive.DeleteAsync("nowhere/y.txt", default);

        Assert.False(File.Exists(Path.Combine(_root, "x", "y.txt")));
    }

    [Fact]
    public async Task TryLockMailboxAsync_MakesTheMailboxSpoolFolderAnewAndLeavesOtherMailboxes()
    {
        var leftover = Spooled("a killed run's message");
        var salesFile = Spooled("another mailbox's message", mailbox: "sales");

        await using var held = await _archive.TryLockMailboxAsync("support", default);

        Assert.Equal(Path.Combine(_root, ".spool"), _archive.SpoolFolder);
        Assert.False(File.Exists(leftover));
        Assert.True(Directory.Exists(Path.Combine(_archive.SpoolFolder, "support")));
        Assert.True(File.Exists(salesFile));
        Assert.False(held!.Lost.CanBeCanceled);
    }

    [Fact]
    public async Task EverythingTheStoreCreates_IsTheOwnersAlone()
    {
        var root = Path.Combine(_root, "archive");
        var archive = new FileSystemMailArchive(root, TimeProvider.System);

        var created = await CreateOneOfEachAsync(archive);

        Assert.All(created, entry => Assert.Equal(entry.IsFolder ? "700" : "600", entry.Mode));
    }

    [Fact]
    public async Task EverythingTheStoreCreates_WithWiderModesSet_HasThem()
    {
        var archive = new FileSystemMailArchive(
            Path.Combine(_root, "archive"), TimeProvider.System, ArchiveModes.From(new StorageOptions { FileMode = "640", FolderMode = "750" }));

        var created = await CreateOneOfEachAsync(archive);

        Assert.All(created, entry => Assert.Equal(entry.IsFolder ? "750" : "640", entry.Mode));
    }

    /// <summary>Every kind of file the store creates, into a root it creates; returns the mode of every file and folder there while the lock is held.</summary>
    private static async Task<List<(string Path, bool IsFolder, string Mode)>> CreateOneOfEachAsync(FileSystemMailArchive archive)
    {
        var root = archive.Location.TrimEnd('/');
        await using (var held = await archive.TryLockMailboxAsync("support", default))
        {
            await archive.WriteAsync("messages/support/2026/03/02/k/body.txt", Plain, Text("body"), WriteCondition.None, default);
            await archive.WriteAsync("state/support.json", Json, Text("{}"), WriteCondition.MustNotExist, default);
            await archive.AppendAsync("state/support.journal", "entry\n"u8.ToArray(), 0, default);
            // The core creates its spool files itself; the store gives a stored one the archive's mode.
            var spooled = Path.Combine(archive.SpoolFolder, "support", "message");
            await File.WriteAllTextAsync(spooled, "raw");
            await archive.StoreFileAsync("messages/support/2026/03/02/k/message.eml", Plain, spooled, WriteCondition.MustNotExist, default);
            Assert.True(File.Exists(Path.Combine(root, "state", "support.json.lock.holder")));
            var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
            var folders = Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Append(root);
            Assert.Equal(6, files.Length);
            return files.Select(file => (file, false, UnixModes.Of(file)))
                .Concat(folders.Select(folder => (folder, true, UnixModes.Of(folder))))
                .ToList();
        }
    }
}
