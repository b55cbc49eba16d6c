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

    /// <summary>Writes the holder file beside the locked <paramref name="handle"/>; when that fails, releases the lock before the error goes on.</summary>
    public static async Task<FileLock> HoldAsync(FileStream handle, string holderPath, string holder, CancellationToken cancellationToken)
    {
        try
        {
            await File.WriteAllTextAsync(holderPath, holder + "\n", cancellationToken);
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
