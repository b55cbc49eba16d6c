using System.IO.Enumeration;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MailIngest.Archive;
using MailIngest.IO;
using Microsoft.Win32.SafeHandles;

namespace MailIngest.Storage.FileSystem;

/// <summary>
/// The embedded default store: the archive layout as folders under a root. Each object is written to a hidden temp
/// file beside its target, then renamed over it, so a reader sees the old file or the new one, never a part.
/// <see cref="PersistAsync"/> flushes the whole file system at once (Linux <c>syncfs</c>): one flush per ledger write
/// instead of an <c>fsync</c> for each of the four or five files of every message, which cost more than all the rest.
/// Messages on their way in are spooled in <c>.spool/</c> under the root, on the same file system, so that storing
/// one is a rename too. Every file and folder it creates gets the <see cref="ArchiveModes"/> as it is created.
/// </summary>
internal sealed class FileSystemMailArchive : IMailArchive
{
    private const int BufferSize = 81920;
    private const int MaxFileNameBytes = 255;

    /// <summary>
    /// Linux's EWOULDBLOCK (EAGAIN), which .NET gives as the HResult of the IOException when flock finds the lock file
    /// locked by another holder; any other error is a failure of the file system, not a sign of another worker.
    /// </summary>
    private const int LockedByAnother = 11;

    /// <summary>The names of temp files (hidden, so that nothing takes them for objects); <see cref="ListAsync"/> passes them by.</summary>
    private const string TempFiles = ".*.tmp";

    private readonly string _root;
    private readonly TimeProvider _time;
    private readonly ArchiveModes _modes;
    private readonly DurabilityBarrier _barrier;

    /// <param name="root">The archive's root folder.</param>
    /// <param name="time">The clock lock holders are named with.</param>
    /// <param name="modes">The modes of the files and folders it creates: <see cref="ArchiveModes.Private"/> when null.</param>
    /// <param name="flushFileSystem">Flushes the file system holding a folder: <see cref="FileSystemSync.Flush"/>, unless a test interposes.</param>
    public FileSystemMailArchive(string root, TimeProvider time, ArchiveModes? modes = null, Action<string>? flushFileSystem = null)
    {
        _modes = modes ?? ArchiveModes.Private;
        _time = time;
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        SpoolFolder = _root + ".spool";
        var flush = flushFileSystem ?? FileSystemSync.Flush;
        // Where the file system cannot be flushed as a whole, every file is flushed as it is written instead.
        _barrier = new DurabilityBarrier(FileSystemSync.IsSupported ? () => flush(_root) : () => { });
    }

    public string Location => _root;

    public string SpoolFolder { get; }

    /// <remarks>More writers than this only queue in the kernel: 2,100 messages took as long with 4 as with 8.</remarks>
    public int StoresAtOnce => 8;

    /// <remarks>
    /// With the lock taken, what a killed run of the mailbox left goes: the temp files of its state objects, and its
    /// spool folder <c>{SpoolFolder}/{mailbox}/</c>, which is made anew.
    /// </remarks>
    public async Task<IMailboxLock?> TryLockMailboxAsync(string mailbox, CancellationToken cancellationToken)
    {
        var path = LockPath(mailbox);
        FileStream handle;
        try
        {
            LocalFolders.Create(Path.GetDirectoryName(path)!, _modes.Folder);
            // FileShare.None takes an flock on Unix: exclusive between processes, and released by the kernel if the holder dies.
            handle = new FileStream(path, _modes.Opening(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0));
        }
        catch (IOException e) when (e.HResult == LockedByAnother)
        {
            return null;
        }
        catch (Exception e) when (IsFileSystemFailure(e))
        {
            throw LockFailure(mailbox, path, e);
        }

        FileLock held;
        try
        {
            held = await FileLock.HoldAsync(handle, HolderPath(mailbox), LockHolder.Current(_time), _modes, cancellationToken);
        }
        catch (Exception e) when (IsFileSystemFailure(e))
        {
            throw LockFailure(mailbox, HolderPath(mailbox), e);
        }

        try
        {
            DeleteStateTempFiles(mailbox);
            LocalFolders.Renew(Path.Combine(SpoolFolder, mailbox), _modes.Folder);
        }
        catch (Exception e) when (IsFileSystemFailure(e))
        {
            await held.DisposeAsync();
            throw LockFailure(mailbox, "removing what a killed run left", e);
        }

        return held;
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

    private static bool IsFileSystemFailure(Exception e) => e is IOException or UnauthorizedAccessException;

    /// <param name="mailbox">The mailbox whose lock failed.</param>
    /// <param name="what">The file, or the step, that failed.</param>
    /// <param name="e">The failure.</param>
    private static ArchiveUnavailableException LockFailure(string mailbox, string what, Exception e) => new(
        $"The FileSystem store could not lock mailbox {mailbox} ({what}): {e.Message}; " +
        "check that the archive's file system is mounted writable and that this user may write there.",
        e);

    private string LockPath(string mailbox) => Resolve(ArchiveLayout.LockPath(mailbox));

    private string HolderPath(string mailbox) => Resolve(ArchiveLayout.LockPath(mailbox) + ".holder");

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

    public Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        var file = Resolve(path);
        try
        {
            return Task.FromResult<Stream?>(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    /// <remarks>Temp files and the spool are not objects; files that are not written through this store (such as the lock files) are.</remarks>
    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var folder = Resolve(prefix);
        return (Directory.Exists(folder) ? ObjectsUnder(folder, cancellationToken) : []).ToAsyncEnumerable();
    }

    /// <remarks>
    /// A file has no place for <paramref name="info"/>: its content type follows from its name. The raw message is the
    /// first object written into a message's folder and the manifest the last; when that folder exists already, a process
    /// killed while writing into it (a run, or <c>mailingest reprocess</c>, which writes no raw message) may have left temp
    /// files there, which go before either is written.
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
        PrepareFolderOf(target, info);
        var temp = TempPath(target);
        try
        {
            var version = "";
            using (var file = new FileStream(temp, _modes.Opening(FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize)))
            {
                // A conditional write returns the new version: hashed as it is written rather than read back afterwards.
                using var hashing = condition.IsConditional ? new HashingStream(new SynchronousWriteStream(file)) : null;
                await writeContent(hashing ?? (Stream)new SynchronousWriteStream(file), cancellationToken);
                version = hashing?.FinishHash() ?? "";
                file.Flush();
                FlushUnlessPersistFlushes(file.SafeFileHandle);
            }

            await RenameIntoPlaceAsync(temp, target, path, condition, cancellationToken);
            return version;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <remarks>
    /// A rename within the file system: the file's content never moves, and a stream open on it reads on. The stored
    /// file gets the archive's file mode whatever the spool file was created with.
    /// </remarks>
    public async Task StoreFileAsync(string path, ArchiveObjectInfo info, string file, WriteCondition condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(info);
        var source = InSpool(file);
        var target = Resolve(path);
        PrepareFolderOf(target, info);
        _modes.Adopt(source);
        if (!FileSystemSync.IsSupported)
        {
            // See FlushUnlessPersistFlushes.
            using var handle = File.OpenHandle(source, FileMode.Open, FileAccess.Write);
            RandomAccess.FlushToDisk(handle);
        }

        await RenameIntoPlaceAsync(source, target, path, condition, cancellationToken);
    }

    /// <remarks>
    /// Writers of one mailbox are serialised by its lock, so the length checked is still the length written at. The
    /// append is one write at that offset, not flushed to disk: <see cref="PersistAsync"/> is the barrier for it too.
    /// </remarks>
    public Task<long> AppendAsync(string path, ReadOnlyMemory<byte> content, long expectedLength, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var target = Resolve(path);
        LocalFolders.Create(Path.GetDirectoryName(target)!, _modes.Folder);
        FileStream file;
        try
        {
            // Only a first append may create the object.
            file = new FileStream(target, _modes.Opening(expectedLength == 0 ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.Write, FileShare.Read, bufferSize: 0));
        }
        catch (FileNotFoundException)
        {
            throw LengthConflict(path, expectedLength, 0);
        }

        using (file)
        {
            var length = RandomAccess.GetLength(file.SafeFileHandle);
            if (length != expectedLength)
            {
                throw LengthConflict(path, expectedLength, length);
            }

            RandomAccess.Write(file.SafeFileHandle, content.Span, length);
            FlushUnlessPersistFlushes(file.SafeFileHandle);
            _barrier.WriteCompleted();
            return Task.FromResult(length + content.Length);
        }
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var file = Resolve(path);
        try
        {
            File.Delete(file);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing to delete.
        }

        _barrier.WriteCompleted();
        return Task.CompletedTask;
    }

    /// <remarks>
    /// Flushes only when something was written since the last flush (a poll without new mail writes just the ledger),
    /// and lets concurrent callers (other mailboxes) share a flush that began after their writes.
    /// </remarks>
    public Task PersistAsync(CancellationToken cancellationToken) => _barrier.PersistAsync(cancellationToken);

    /// <summary>Where the whole file system cannot be flushed at once, each file is flushed as it is written.</summary>
    private static void FlushUnlessPersistFlushes(SafeFileHandle file)
    {
        if (!FileSystemSync.IsSupported)
        {
            RandomAccess.FlushToDisk(file);
        }
    }

    /// <summary>
    /// Creates the folder of <paramref name="target"/>; when it is a raw message's or a manifest's, first deletes what
    /// killed writers left in it. No live writer has a temp file there then: the mailbox lock keeps other processes out,
    /// and one worker writes a message's objects, one after the other, from its raw message to its manifest.
    /// </summary>
    private void PrepareFolderOf(string target, ArchiveObjectInfo info)
    {
        var folder = Path.GetDirectoryName(target)!;
        if (info.Kind is ArchiveObjectKind.Raw or ArchiveObjectKind.Manifest && Directory.Exists(folder))
        {
            DeleteTempFiles(folder);
        }

        LocalFolders.Create(folder, _modes.Folder);
    }

    /// <summary>Renames a finished file over its target if <paramref name="condition"/> holds; the file stays where it was if not.</summary>
    private async Task RenameIntoPlaceAsync(string file, string target, string path, WriteCondition condition, CancellationToken cancellationToken)
    {
        if (condition.IsConditional)
        {
            await CheckVersionAsync(path, condition.ExpectedVersion, cancellationToken);
        }

        File.Move(file, target, overwrite: true);
        _barrier.WriteCompleted();
    }

    /// <summary>
    /// A temp file beside <paramref name="target"/>, named after it so that the leftover of a killed write tells whose it
    /// was (<c>.support.json.{guid}.tmp</c>); a name already near the 255-byte limit of a file name gets the guid alone.
    /// </summary>
    private static string TempPath(string target)
    {
        var guid = Guid.NewGuid().ToString("N");
        var named = $".{Path.GetFileName(target)}.{guid}.tmp";
        return Path.Combine(Path.GetDirectoryName(target)!, Encoding.UTF8.GetByteCount(named) <= MaxFileNameBytes ? named : $".{guid}.tmp");
    }

    /// <summary>Deletes the temp files that killed writes of the mailbox's state objects (its ledger) left in <c>state/</c>.</summary>
    /// <remarks>
    /// A mailbox's state objects are named <c>{mailbox}.{extension}</c>, the extension without a dot (<c>support.json</c>):
    /// as mailbox names may hold dots, that is what tells the temp files of <c>support</c> from those of <c>support.b</c>.
    /// </remarks>
    private void DeleteStateTempFiles(string mailbox)
    {
        var own = new Regex($@"^\.{Regex.Escape(mailbox)}\.[^.]+\.[0-9a-f]{{32}}\.tmp$", RegexOptions.CultureInvariant);
        foreach (var temp in Directory.EnumerateFiles(Path.GetDirectoryName(LockPath(mailbox))!, TempFiles).Where(temp => own.IsMatch(Path.GetFileName(temp))))
        {
            File.Delete(temp);
        }
    }

    /// <summary>Deletes what killed writers left in a message's folder (the mailbox lock keeps live writers of it out).</summary>
    private static void DeleteTempFiles(string messageFolder)
    {
        foreach (var temp in Directory.EnumerateFiles(messageFolder, TempFiles, SearchOption.AllDirectories))
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

    private ArchiveConflictException LengthConflict(string path, long expected, long found) =>
        new($"{path} in {_root} was appended to by another writer (expected {expected} bytes, found {found}).");

    private IEnumerable<string> ObjectsUnder(string folder, CancellationToken cancellationToken)
    {
        var files = new FileSystemEnumerable<string>(
            folder,
            (ref entry) => entry.ToFullPath(),
            new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
        {
            ShouldIncludePredicate = (ref entry) => !entry.IsDirectory && !FileSystemName.MatchesSimpleExpression(TempFiles, entry.FileName),
            ShouldRecursePredicate = (ref entry) => entry.ToFullPath() != SpoolFolder,
        };
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
        }
    }

    /// <summary>The full path of <paramref name="file"/>, which must be in <see cref="SpoolFolder"/>: only there is storing it a rename.</summary>
    private string InSpool(string file)
    {
        var full = Path.GetFullPath(file);
        return full.StartsWith(SpoolFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException($"The file {file} is not in the spool folder {SpoolFolder}, where files to store must be.", nameof(file));
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
