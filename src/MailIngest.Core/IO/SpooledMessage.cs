namespace MailIngest.IO;

/// <summary>
/// A retrieved message's exact bytes in a local spool file, with their size and SHA-256 (hashed as they were written).
/// The decoder parses the file in place, and the archive takes it over as the raw object (a rename on the FileSystem
/// store, an upload otherwise), so a message is never held whole in memory.
/// </summary>
internal sealed record SpooledMessage(string Path, long Size, string Sha256)
{
    /// <summary>Opens the spool file for reading; the stream keeps working after the archive has taken the file over.</summary>
    public FileStream OpenRead() => new(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 64 * 1024);

    /// <summary>Removes the spool file if the archive did not take it.</summary>
    public void Discard() => File.Delete(Path);
}

/// <summary>A spool file being written: what a session writes into it is counted and hashed on the way.</summary>
internal sealed class SpoolWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly HashingStream _hashing;
    private bool _completed;

    private SpoolWriter(string path, FileStream file)
    {
        Path = path;
        _file = file;
        _hashing = new HashingStream(file);
    }

    public string Path { get; }

    /// <summary>Where the session writes the message's bytes.</summary>
    public Stream Content => _hashing;

    /// <summary>A new spool file in <paramref name="folder"/>, readable and writable by this user only.</summary>
    public static SpoolWriter Create(string folder)
    {
        var path = System.IO.Path.Combine(folder, $"{Guid.NewGuid():N}.eml");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 64 * 1024,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new SpoolWriter(path, new FileStream(path, options));
    }

    /// <summary>Closes the file once every byte is written; the message is then the caller's to store.</summary>
    public SpooledMessage Complete()
    {
        _file.Flush();
        var message = new SpooledMessage(Path, _hashing.BytesWritten, _hashing.FinishHash());
        _completed = true;
        Dispose();
        return message;
    }

    /// <summary>Closes the file; one never completed (a cut connection, a refused message) is deleted.</summary>
    public void Dispose()
    {
        _hashing.Dispose();
        _file.Dispose();
        if (!_completed)
        {
            File.Delete(Path);
        }
    }
}
