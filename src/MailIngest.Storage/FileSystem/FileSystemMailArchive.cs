using System.Security.Cryptography;
using MailIngest.Archive;

namespace MailIngest.Storage.FileSystem;

/// <summary>
/// The embedded default store: the archive layout as folders under a root. Each object is written to a hidden temp
/// file beside its target, flushed to disk, then renamed over it, so a reader sees the old file or the new one, never a part.
/// </summary>
internal sealed class FileSystemMailArchive : IMailArchive
{
    private const int BufferSize = 81920;
    private readonly string _root;

    public FileSystemMailArchive(string root)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
    }

    public string Location => _root;

    public Task<IAsyncDisposable?> TryLockMailboxAsync(string mailbox, CancellationToken cancellationToken)
    {
        var path = Resolve(ArchiveLayout.LedgerPath(mailbox) + ".lock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            // FileShare.None takes an flock on Unix: exclusive between processes, and released by the kernel if the holder dies.
            var handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return Task.FromResult<IAsyncDisposable?>(handle);
        }
        catch (IOException) when (File.Exists(path))
        {
            return Task.FromResult<IAsyncDisposable?>(null);
        }
    }

    public async Task<ArchivedObject?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var content = await File.ReadAllBytesAsync(Resolve(path), cancellationToken);
            return new ArchivedObject(content, VersionOf(content));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <remarks>A file has no place for <paramref name="info"/>: its content type follows from its name.</remarks>
    public async Task<string> WriteAsync(
        string path,
        ArchiveObjectInfo info,
        Func<Stream, CancellationToken, Task> writeContent,
        WriteCondition condition,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writeContent);
        var target = Resolve(path);
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        // Not derived from the target's name, which may already be near the 255-byte limit of a file name.
        var temp = Path.Combine(folder, $".{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                await writeContent(file, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }

            if (condition.IsConditional)
            {
                await CheckVersionAsync(path, condition.ExpectedVersion, cancellationToken);
            }

            File.Move(temp, target, overwrite: true);
            return condition.IsConditional ? VersionOf(await File.ReadAllBytesAsync(target, cancellationToken)) : "";
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <remarks>Writers of one mailbox's ledger are serialised by the mailbox lock, so check-then-rename cannot race.</remarks>
    private async Task CheckVersionAsync(string path, string? expected, CancellationToken cancellationToken)
    {
        var current = (await ReadAsync(path, cancellationToken))?.Version;
        if (current != expected)
        {
            throw new ArchiveConflictException(
                $"{path} in {_root} was changed by another writer (expected version {expected ?? "none"}, found {current ?? "none"}).");
        }
    }

    /// <summary>Maps an archive path to a file under the root, refusing any path that would leave it.</summary>
    private string Resolve(string path)
    {
        var full = Path.GetFullPath(Path.Combine(_root, path));
        if (!full.StartsWith(_root, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The archive path '{path}' leaves the archive root {_root}.", nameof(path));
        }

        return full;
    }

    private static string VersionOf(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
