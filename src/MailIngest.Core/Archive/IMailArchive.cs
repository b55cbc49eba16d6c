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

    /// <summary>
    /// A local folder for messages on their way in, which <see cref="StoreFileAsync"/> takes files from: on the archive's
    /// own file system for the FileSystem store (so storing a file is a rename), under the temp folder for a remote store.
    /// </summary>
    string SpoolFolder { get; }

    /// <summary>
    /// How many messages a run stores at once: as many as keep this store busy. A local disk is kept busy by a few
    /// writers per core; a remote store's requests mostly wait on the network, so more of them are in flight.
    /// </summary>
    int StoresAtOnce { get; }

    /// <summary>Takes the mailbox's exclusive lock, or returns null when another worker holds it.</summary>
    /// <remarks>The lock records <see cref="LockHolder.Current"/>, for <see cref="LockHolderAsync"/>.</remarks>
    /// <exception cref="ArchiveUnavailableException">The lock could not be taken for another reason than another holder.</exception>
    Task<IMailboxLock?> TryLockMailboxAsync(string mailbox, CancellationToken cancellationToken);

    /// <summary>Who holds the mailbox's lock now (<see cref="LockHolder.Current"/> of the holder), or null when nobody does; takes nothing.</summary>
    Task<string?> LockHolderAsync(string mailbox, CancellationToken cancellationToken);

    /// <summary>Reads a small object (a ledger or a manifest) whole, or returns null when it does not exist.</summary>
    Task<ArchivedObject?> ReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>Opens an object of any size for reading, streamed; null when it does not exist.</summary>
    Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>The paths of the objects under <paramref name="prefix"/> (a folder path ending in '/'), in no set order.</summary>
    /// <remarks>For offline work (reprocess, outbox recovery): a poll never lists the archive.</remarks>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken);

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
    /// Stores the local file <paramref name="file"/> (in <see cref="SpoolFolder"/>) as the object at <paramref name="path"/>
    /// and removes the file: the FileSystem store renames it into place, a remote store uploads it. A stream already open
    /// on the file stays readable. On a failure (the condition included) the file is left where it was.
    /// </summary>
    /// <remarks>
    /// Unlike <see cref="WriteAsync"/> it returns no version: its objects (raw messages) are never written again on
    /// condition of one, and the FileSystem store would have to read every message back to hash it.
    /// </remarks>
    /// <exception cref="ArchiveConflictException">The condition did not hold.</exception>
    Task StoreFileAsync(string path, ArchiveObjectInfo info, string file, WriteCondition condition, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="content"/> to the append-only object at <paramref name="path"/> if it is
    /// <paramref name="expectedLength"/> bytes long now (0: it does not exist yet); returns its new length. An append is
    /// atomic: after a crash the object ends before or after it, never inside it.
    /// </summary>
    /// <exception cref="ArchiveConflictException">The object has another length: another writer appended to it.</exception>
    Task<long> AppendAsync(string path, ReadOnlyMemory<byte> content, long expectedLength, CancellationToken cancellationToken);

    /// <summary>Deletes the object at <paramref name="path"/>; nothing happens when there is none.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Makes every object written so far durable, so that it survives a crash of the machine (not only of the process).
    /// One barrier for many objects is far cheaper than flushing each to disk. Returns only after a flush that began
    /// after every write this process had completed when it was called.
    /// </summary>
    Task PersistAsync(CancellationToken cancellationToken);
}

/// <summary>A held mailbox lock; disposing it releases the lock.</summary>
public interface IMailboxLock : IAsyncDisposable
{
    /// <summary>
    /// Cancelled when the lock is known to be lost (an Azure lease that could not be renewed in time, or taken by
    /// another worker). Never cancelled for a lock that cannot be lost.
    /// </summary>
    CancellationToken Lost { get; }

    /// <summary>
    /// Whether the lock is still this holder's, for long enough to finish one more write: false once <see cref="Lost"/>
    /// is cancelled, and also when, by the clock, the lease may have ended unrenewed (a process frozen or paused for
    /// longer than the lease, which has not yet heard so from the store). The holder must not write the ledger or
    /// delete mail unless it is true.
    /// </summary>
    bool IsHeld { get; }
}

/// <summary>What an object is: its content type, and what a consumer of the store may filter on.</summary>
/// <param name="ContentType">The MIME type of the content, e.g. <c>message/rfc822</c>.</param>
/// <param name="Kind">What part of the archive the object is.</param>
/// <param name="Mailbox">The mailbox it belongs to.</param>
public sealed record ArchiveObjectInfo(string ContentType, ArchiveObjectKind Kind, string Mailbox)
{
    /// <summary>The ID the message has on its server (POP3 UIDL; IMAP folder, UIDVALIDITY and UID); null for a ledger.</summary>
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

/// <summary>
/// An object's content and its version, which a conditional write must match: another content has another version
/// (the FileSystem store's is the content's SHA-256, Azure's the blob's ETag, which changes with every write).
/// </summary>
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
