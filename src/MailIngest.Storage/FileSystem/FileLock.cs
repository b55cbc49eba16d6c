using System.Text;
using MailIngest.Archive;

namespace MailIngest.Storage.FileSystem;

/// <summary>
/// A held mailbox lock: the open, flocked lock file is the lock; a holder file beside it names the holder for
/// <c>mailingest status</c> (the lock file itself cannot be read while flocked) and is removed on release.
/// </summary>
internal sealed class FileLock : IMailboxLock
{
    private readonly FileStream _handle;
    private readonly string _holderPath;

    private FileLock(FileStream handle, string holderPath)
    {
        _handle = handle;
        _holderPath = holderPath;
    }

    /// <summary>Never cancelled: the kernel drops an flock only with the process that holds it.</summary>
    public CancellationToken Lost => CancellationToken.None;

    /// <summary>An flock is the holder's until it closes the file or dies.</summary>
    public bool IsHeld => true;

    /// <summary>Writes the holder file beside the locked <paramref name="handle"/>; when that fails, releases the lock before the error goes on.</summary>
    public static async Task<FileLock> HoldAsync(FileStream handle, string holderPath, string holder, ArchiveModes modes, CancellationToken cancellationToken)
    {
        try
        {
            // Readable while it is written: 'mailingest status' may read it at any time.
            await using var file = new FileStream(holderPath, modes.Opening(FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0));
            await file.WriteAsync(Encoding.UTF8.GetBytes(holder + "\n"), cancellationToken);
        }
        catch
        {
            await handle.DisposeAsync();
            throw;
        }

        return new FileLock(handle, holderPath);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            File.Delete(_holderPath);
        }
        finally
        {
            await _handle.DisposeAsync();
        }
    }
}
