namespace MailIngest.Archive;

/// <summary>
/// Where messages, manifests and ledgers are kept: an object store addressed by relative paths such as
/// <c>messages/support/2026/11/27/{key}/message.eml</c>. Every write is atomic: a reader sees the old object or the new one, never a part.
/// </summary>
public interface IMailArchive
{
    /// <summary>Where the archive is, for log lines and errors.</summary>
    string Location { get; }

    /// <summary>Takes the mailbox's exclusive lock, or returns null when another worker holds it.</summary>
    Task<IAsyncDisposable?> TryLockMailboxAsync(string mailbox, CancellationToken cancellationToken);

    /// <summary>Reads a small object (a ledger or a manifest) whole, or returns null when it does not exist.</summary>
    Task<ArchivedObject?> ReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>Writes an object whose content <paramref name="writeContent"/> streams; returns the new version.</summary>
    /// <exception cref="ArchiveConflictException">The condition did not hold: another writer changed the object.</exception>
    Task<string> WriteAsync(
        string path,
        string contentType,
        Func<Stream, CancellationToken, Task> writeContent,
        WriteCondition condition,
        CancellationToken cancellationToken);
}

/// <summary>An object's content and the version a conditional write must match.</summary>
public sealed record ArchivedObject(ReadOnlyMemory<byte> Content, string Version);

/// <summary>When a write may replace what is there: always, or only the version read before (none meaning "must not exist").</summary>
public readonly record struct WriteCondition(bool IsConditional, string? ExpectedVersion)
{
    public static WriteCondition None => default;

    public static WriteCondition Matching(string? version) => new(true, version);
}

/// <summary>A conditional write found another version than expected.</summary>
public sealed class ArchiveConflictException(string message) : Exception(message);
