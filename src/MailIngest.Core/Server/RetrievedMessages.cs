namespace MailIngest.Server;

/// <summary>Messages one <see cref="IMailSession.RetrieveAsync"/> returned: <c>Contents[i]</c> holds the message at <c>Indexes[i]</c>.</summary>
public sealed class RetrievedMessages(IReadOnlyList<int> indexes, IReadOnlyList<Stream> contents) : IDisposable
{
    /// <summary>The messages' indexes in the session's UIDL listing.</summary>
    public IReadOnlyList<int> Indexes { get; } = indexes;

    /// <summary>Each message's exact bytes, seekable; valid until this is disposed.</summary>
    public IReadOnlyList<Stream> Contents { get; } = contents;

    public int Count => Indexes.Count;

    /// <summary>Releases the messages' buffers.</summary>
    public void Dispose()
    {
        foreach (var content in Contents)
        {
            content.Dispose();
        }
    }
}
