using MailIngest.Archive;
using MailIngest.IO;

namespace MailIngest.Reprocessing;

/// <summary>
/// A raw message in the archive, opened for decoding, which must seek: the store's own stream where it can (a file of
/// the FileSystem store), else a copy in the mailbox's spool folder (a blob, read once as a stream).
/// </summary>
internal sealed class RawMessage : IAsyncDisposable
{
    private RawMessage(Stream content, SpooledMessage? spooled)
    {
        Content = content;
        Spooled = spooled;
    }

    /// <summary>The message's bytes, seekable; keep open while its decoded parts are written.</summary>
    public Stream Content { get; }

    /// <summary>The spool copy, hashed as it was written; null when <see cref="Content"/> is the store's own stream.</summary>
    public SpooledMessage? Spooled { get; }

    /// <summary>Opens the raw message at <paramref name="path"/>, or returns null when there is none.</summary>
    /// <param name="archive">The store.</param>
    /// <param name="path">The raw message's archive path.</param>
    /// <param name="spoolFolder">The mailbox's spool folder, which only the holder of its lock uses.</param>
    /// <param name="copy">Copy it into the spool even when the store's stream can seek: to store it elsewhere, and to hash it.</param>
    /// <param name="cancellationToken">Cancels the reading.</param>
    public static async Task<RawMessage?> OpenAsync(IMailArchive archive, string path, string spoolFolder, bool copy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var stream = await archive.OpenReadAsync(path, cancellationToken);
        if (stream is null)
        {
            return null;
        }

        if (stream.CanSeek && !copy)
        {
            return new RawMessage(stream, spooled: null);
        }

        SpooledMessage spooled;
        await using (stream)
        {
            // The stores make the folder anew (private) when the lock is taken; this covers a store that does not.
            Directory.CreateDirectory(spoolFolder);
            using var writer = SpoolWriter.Create(spoolFolder);
            await stream.CopyToAsync(writer.Content, cancellationToken);
            spooled = writer.Complete();
        }

        return new RawMessage(spooled.OpenRead(), spooled);
    }

    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync();
        Spooled?.Discard();
    }
}
