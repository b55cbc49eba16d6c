using System.Security.Cryptography;
using MailIngest.Archive;
using MailIngest.IO;

namespace MailIngest.Storage.FileSystem;

/// <summary>
/// The embedded default store: the archive layout as folders under a root. Each object is written to a hidden temp
/// file beside its target, then renamed over it, so a reader sees the old file or the new one, never a part.
/// <see cref="PersistAsync"/> flushes the whole file system at once (Linux <c>syncfs</c>): one flush per ledger write
/// instead of an <c>fsync</c> for each of the four or five files of every message, which cost more than all the rest.
/// </summary>
internal sealed class FileSystemMailArchive : IMailArchive
{
    private const int BufferSize = 81920;
    private readonly string _root;
    private readonly TimeProvider _time;
    private int _unpersistedWrites;

    public FileSystemMailArchive(string root, TimeProvider time)
    {
        _time = time;
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
    }

    public string Location => _root;

    public async Task<IAsyncDisposable?> TryLockMailboxAsync(string mailbox, CancellationToken cancellationToken)
    {
        var path = LockPath(mailbox);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FileStream handle;
        try
        {
            // FileShare.None takes an flock on Unix: exclusive between processes, and released by the kernel if the holder dies.
            handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }

        return await FileLock.HoldAsync(handle, HolderPath(mailbox), LockHolder.Current(_time), cancellationToken);
    }

    public async Task<string?> LockHolderAsync(string mailbox, CancellationToken cancellationToken)
    {
        try
        {
            // A holder killed before it could remove this file is recognised by its process being gone.
            var holder = (await File.ReadAllTextAsync(HolderPath(mailbox), cancellationToken)).Trim();
            return holder.Length > 0 && LockHolder.MayBeAlive(holder) ? holder : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private string LockPath(string mailbox) => Resolve(ArchiveLayout.LedgerPath(mailbox) + ".lock");

    private string HolderPath(string mailbox) => Resolve(ArchiveLayout.LedgerPath(mailbox) + ".lock.holder");

    public async Task<ArchivedObject?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var file = Resolve(path);
        if (!File.Exists(file))
        {
            // Most reads are of manifests that do not exist yet; a thrown FileNotFoundException each would cost more than the read.
            return null;
        }

        try
        {
            var content = await File.ReadAllBytesAsync(file, cancellationToken);
            return new ArchivedObject(content, VersionOf(content));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <remarks>
    /// A file has no place for <paramref name="info"/>: its content type follows from its name. The raw message is the
    /// first object written into a message's folder; when that folder exists already, a process killed while writing
    /// into it may have left temp files there, which go before the message is written again.
    /// </remarks>
    public async Task<string> WriteAsync(
        string path,
        ArchiveObjectInfo info,
        Func<Stream, CancellationToken, Task> writeContent,
        WriteCondition condition,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(writeContent);
        var target = Resolve(path);
        var folder = Path.GetDirectoryName(target)!;
        if (info.Kind == ArchiveObjectKind.Raw && Directory.Exists(folder))
        {
            DeleteTempFiles(folder);
        }

        Directory.CreateDirectory(folder);
        // Not derived from the target's name, which may already be near the 255-byte limit of a file name.
        var temp = Path.Combine(folder, $".{Guid.NewGuid():N}.tmp");
        try
        {
            var version = "";
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize))
            {
                // A conditional write returns the new version: hashed as it is written rather than read back afterwards.
                using var hashing = condition.IsConditional ? new HashingStream(new SynchronousWriteStream(file)) : null;
                await writeContent(hashing ?? (Stream)new SynchronousWriteStream(file), cancellationToken);
                version = hashing?.FinishHash() ?? "";
                file.Flush();
                if (!FileSystemSync.IsSupported)
                {
                    file.Flush(flushToDisk: true);
                }
            }

            if (condition.IsConditional)
            {
                await CheckVersionAsync(path, condition.ExpectedVersion, cancellationToken);
            }

            File.Move(temp, target, overwrite: true);
            Interlocked.Increment(ref _unpersistedWrites);
            return version;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <remarks>
    /// Flushes only when something was written since the last flush (a poll without new mail writes just the ledger).
    /// Where the file system cannot be flushed as a whole, every file was flushed as it was written.
    /// </remarks>
    public Task PersistAsync(CancellationToken cancellationToken)
    {
        if (FileSystemSync.IsSupported && Interlocked.Exchange(ref _unpersistedWrites, 0) > 0)
        {
            try
            {
                FileSystemSync.Flush(_root);
            }
            catch
            {
                // Still not durable: the next call must flush again.
                Interlocked.Increment(ref _unpersistedWrites);
                throw;
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Deletes what killed writers left in a message's folder (the mailbox lock keeps live writers of it out).</summary>
    private static void DeleteTempFiles(string messageFolder)
    {
        foreach (var temp in Directory.EnumerateFiles(messageFolder, ".*.tmp", SearchOption.AllDirectories))
        {
            File.Delete(temp);
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
