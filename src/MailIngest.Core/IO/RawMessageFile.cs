namespace MailIngest.IO;

/// <summary>
/// A message's exact bytes on local disk between RETR and storage, hashed while they arrive, so a large message never has
/// to fit in memory and MimeKit can parse it with persistent (file-backed) parts. The file is deleted when disposed.
/// </summary>
internal sealed class RawMessageFile : IAsyncDisposable
{
    private const int BufferSize = 81920;

    private RawMessageFile(FileStream file) => File = file;

    /// <summary>The file, positioned at its start once <see cref="FillAsync"/> has returned.</summary>
    public FileStream File { get; }

    public long Size { get; private set; }

    public string Sha256 { get; private set; } = "";

    public static RawMessageFile Create(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"mailingest-{Guid.NewGuid():N}.eml");
        return new RawMessageFile(new FileStream(
            path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, BufferSize, FileOptions.DeleteOnClose | FileOptions.Asynchronous));
    }

    public async Task FillAsync(Stream source, CancellationToken cancellationToken)
    {
        using var hashing = new HashingStream(File);
        await source.CopyToAsync(hashing, BufferSize, cancellationToken);
        await hashing.FlushAsync(cancellationToken);
        Size = hashing.BytesWritten;
        Sha256 = hashing.FinishHash();
        File.Position = 0;
    }

    /// <summary>Copies the exact bytes to <paramref name="destination"/> from the start of the file.</summary>
    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        File.Position = 0;
        await File.CopyToAsync(destination, BufferSize, cancellationToken);
    }

    public ValueTask DisposeAsync() => File.DisposeAsync();
}
