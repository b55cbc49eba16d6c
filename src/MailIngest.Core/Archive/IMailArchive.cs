namespace MailIngest.Archive;

/// <summary>
/// Where messages, manifests and ledgers are kept: an object store addressed by relative paths such as
/// <c>messages/support/2026/11/27/{key}/message.eml</c>. Every write is atomic: a reader sees the old object or the new one, never a part.
/// A write survives the process at once, and a crash of the machine once <see cref="PersistAsync"/> has returned.
/// </summary>
public interface IMailArchive
{
    /// <summary>Where the archive is, for log lines and errors.</summary>
    string Location { get; }

    /// <summary>Takes the mailbox's exclusive lock, or returns null when another worker holds it.</summary>
    /// <remarks>The lock records <see cref="LockHolder.Current"/>, for <see cref="LockHolderAsync"/>.</remarks>
    Task<IAsyncDisposable?> TryLockMailboxAsync(string mailbox, CancellationToken cancellationToken);

    /// <summary>Who holds the mailbox's lock now (<see cref="LockHolder.Current"/> of the holder), or null when nobody does; takes nothing.</summary>
    Task<string?> LockHolderAsync(string mailbox, CancellationToken cancellationToken);

    /// <summary>Reads a small object (a ledger or a manifest) whole, or returns null when it does not exist.</summary>
    Task<ArchivedObject?> ReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>Writes an object whose content <paramref name="writeContent"/> streams; returns the new version.</summary>
    /// <param name="path">Where the object goes.</param>
    /// <param name="info">Its content type and what it is; blob stores keep these beside the content for consumers to filter on.</param>
    /// <param name="writeContent">Writes the content; a failure in it leaves the previous object (or none) in place.</param>
    /// <param name="condition">When the write may replace what is there.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="ArchiveConflictException">The condition did not hold: another writer changed the object.</exception>
    Task<string> WriteAsync(
        string path,
        ArchiveObjectInfo info,
        Func<Stream, CancellationToken, Task> writeContent,
        WriteCondition condition,
        CancellationToken cancellationToken);

    /// <summary>
    /// Makes every object written so far durable, so that it survives a crash of the machine (not only of the process).
    /// One barrier for many objects is far cheaper than flushing each to disk; the ledger is written between two of them.
    /// </summary>
    Task PersistAsync(CancellationToken cancellationToken);
}

/// <summary>What an object is: its content type, and what a consumer of the store may filter on.</summary>
/// <param name="ContentType">The MIME type of the content, e.g. <c>message/rfc822</c>.</param>
/// <param name="Kind">What part of the archive the object is.</param>
/// <param name="Mailbox">The mailbox it belongs to.</param>
public sealed record ArchiveObjectInfo(string ContentType, ArchiveObjectKind Kind, string Mailbox)
{
    /// <summary>The UIDL of the message it belongs to; null for a ledger.</summary>
    public string? Uidl { get; init; }

    /// <summary>The Message-ID of the message it belongs to, when it has one and was decoded.</summary>
    public string? MessageId { get; init; }
}

/// <summary>The kinds of object the archive holds.</summary>
public enum ArchiveObjectKind
{
    Raw,
    Body,
    Attachment,
    Manifest,
    Ledger,
    Quarantine,
}

/// <summary>An object's content and the version a conditional write must match.</summary>
public sealed record ArchivedObject(ReadOnlyMemory<byte> Content, string Version);

/// <summary>When a write may replace what is there: always, or only the version read before (none meaning "must not exist").</summary>
public readonly record struct WriteCondition(bool IsConditional, string? ExpectedVersion)
{
    public static WriteCondition None => default;

    public static WriteCondition Matching(string? version) => new(true, version);

    /// <summary>Only when there is no object at the path yet.</summary>
    public static WriteCondition MustNotExist => Matching(null);
}

/// <summary>A conditional write found another version than expected.</summary>
public sealed class ArchiveConflictException(string message) : Exception(message);

/// <summary>The store could not be reached, or refused a request; the message names the store and what failed.</summary>
public sealed class ArchiveUnavailableException(string message, Exception innerException) : Exception(message, innerException);
