using System.ComponentModel;
using System.Runtime.InteropServices;

namespace MailIngest.Storage.FileSystem;

/// <summary>
/// Linux's <c>syncfs(2)</c>: writes every dirty page, inode and directory entry of one file system to disk in one call,
/// which also makes renames durable (an <c>fsync</c> of a file alone does not cover its directory entry).
/// </summary>
internal static partial class FileSystemSync
{
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Flushes the file system that holds <paramref name="path"/>, an existing file or folder.</summary>
    /// <exception cref="IOException">The path cannot be opened, or the flush failed (an I/O error of the disk).</exception>
    public static void Flush(string path)
    {
        var descriptor = Open(path, 0 /* O_RDONLY, which opens folders too */);
        if (descriptor < 0)
        {
            throw Failure("opening", path);
        }

        try
        {
            if (SyncFs(descriptor) != 0)
            {
                throw Failure("flushing the file system of", path);
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    private static IOException Failure(string doing, string path)
    {
        var error = new Win32Exception(Marshal.GetLastPInvokeError());
        return new IOException($"{doing} {path} failed: {error.Message}", error);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
