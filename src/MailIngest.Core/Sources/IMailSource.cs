using MailIngest.Configuration;

namespace MailIngest.Sources;

/// <summary>
/// Where mail comes from: opens authenticated sessions on a mailbox's server. The POP3 and IMAP adapters implement it,
/// and keep the same contract, so the run (docs/architecture.md) is one loop for all of them.
/// </summary>
public interface IMailSource
{
    /// <summary>Whether this source serves the mailbox (by its <see cref="MailboxOptions.Protocol"/>).</summary>
    bool Serves(MailboxOptions options);

    Task<IMailSession> OpenAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken);
}

/// <summary>
/// One authenticated session on a mailbox. Messages are addressed by their 0-based position in this session's
/// <see cref="ListAsync"/>; positions are valid only within one session: after a reconnect the caller lists again.
/// Deletions take effect only at <see cref="CommitAsync"/> (POP3 QUIT, IMAP UID EXPUNGE or MOVE); disposing without it
/// discards them.
/// Failures are <see cref="MailServerException"/>s whose <see cref="MailServerException.Failure"/> says whether a new session may help.
/// </summary>
public interface IMailSession : IAsyncDisposable
{
    /// <summary>The least time the server wants between two logins (RFC 2449 LOGIN-DELAY), or null when it announced none.</summary>
    TimeSpan? LoginDelay { get; }

    /// <summary>What the server announced about itself, and the mailbox's size, as of login.</summary>
    MailServerInfo Info { get; }

    /// <summary>
    /// Every message on the server, in server order (oldest first): POP3 UIDL; IMAP each folder's UIDs, folder after
    /// folder. A source that remembers state between sessions (<see cref="SourceState"/>) may answer from
    /// <paramref name="request"/> what the server says has not changed, without listing it again.
    /// </summary>
    Task<IReadOnlyList<ListedMessage>> ListAsync(ListingRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// What the source wants remembered for the next session's <see cref="ListingRequest.SourceState"/>, as of this
    /// session's listing and its own changes since (deletions); null when it keeps none (POP3). The run stores it only
    /// when the ledger knows every message the listing named.
    /// </summary>
    string? SourceState { get; }

    /// <summary>
    /// The size in octets the server gives for the listed messages at <paramref name="positions"/> (POP3 LIST, IMAP
    /// RFC822.SIZE; an estimate on some servers), in a list as long as the listing; a source may give the sizes of
    /// other positions too when they cost nothing more (POP3), else null for them.
    /// </summary>
    Task<IReadOnlyList<long?>> GetSizesAsync(IReadOnlyCollection<int> positions, CancellationToken cancellationToken);

    /// <summary>
    /// Retrieves the messages at <paramref name="positions"/>, in that order, writing each one's exact bytes into the
    /// stream <paramref name="target"/> opens for it. A message the server refuses alone (a RETR answered <c>-ERR</c>)
    /// is reported to <paramref name="target"/> and the rest follow; a lost connection fails the call, and a message
    /// it cut short is never reported complete.
    /// </summary>
    Task RetrieveAsync(IReadOnlyList<int> positions, IRetrievalTarget target, CancellationToken cancellationToken);

    /// <summary>How much the run asks for in one <see cref="RetrieveAsync"/>: <see cref="RetrievalWindow.Default"/> unless the source says otherwise.</summary>
    RetrievalWindow Window => RetrievalWindow.Default;

    /// <summary>The header block of the message at <paramref name="position"/> (POP3 <c>TOP n 0</c>), cut at <paramref name="maxBytes"/>.</summary>
    Task<string> ReadHeaderAsync(int position, int maxBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Marks messages for deletion (POP3 DELE), or, with the mailbox's <c>MoveToFolder</c>, for moving there (IMAP); they
    /// leave the listed folder at <see cref="CommitAsync"/>.
    /// </summary>
    Task DeleteAsync(IReadOnlyList<int> positions, CancellationToken cancellationToken);

    /// <summary>
    /// Flags stored messages as read (IMAP <c>\Seen</c>, the mailbox's <c>MarkSeen</c>); called only once their ledger
    /// entries are durable. POP3 has no flags, and validation refuses <c>MarkSeen</c> for POP3 mailboxes.
    /// </summary>
    Task MarkSeenAsync(IReadOnlyList<int> positions, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This mail source has no flags to mark messages read.");

    /// <summary>
    /// Ends the session (POP3 QUIT; IMAP UID EXPUNGE or MOVE, then LOGOUT), which makes the server apply the deletions;
    /// throws when deletions were marked and the server did not acknowledge them.
    /// </summary>
    Task CommitAsync(CancellationToken cancellationToken);
}

/// <summary>Where a session writes the messages it retrieves; the run's spool implements it.</summary>
public interface IRetrievalTarget
{
    /// <summary>A stream for the exact bytes of the message at <paramref name="position"/>; the session writes them all, then calls <see cref="CompletedAsync"/>.</summary>
    Stream Open(int position);

    /// <summary>Every byte of the message at <paramref name="position"/> is written; may wait while earlier messages are stored.</summary>
    ValueTask CompletedAsync(int position, CancellationToken cancellationToken);

    /// <summary>The server refused the message at <paramref name="position"/> alone; <paramref name="reason"/> is its answer. The session goes on with the next.</summary>
    ValueTask RefusedAsync(int position, string reason, CancellationToken cancellationToken);
}

/// <summary>One message as a session lists it.</summary>
/// <param name="Id">
/// The message's unique ID on the server, the ledger's key for it: the POP3 UIDL; for IMAP
/// <c>{UIDVALIDITY}:{UID}@{folder}</c> (docs/imap.md).
/// </param>
public sealed record ListedMessage(string Id)
{
    /// <summary>The IMAP folder it is listed in; null for POP3.</summary>
    public string? Folder { get; init; }

    /// <summary>The IMAP folder's UIDVALIDITY when it was listed; null for POP3.</summary>
    public uint? UidValidity { get; init; }

    /// <summary>Its IMAP UID; null for POP3.</summary>
    public uint? Uid { get; init; }

    /// <summary>
    /// The name its archive key is made from when it is not <see cref="Id"/>: a message the server shows under several
    /// IDs (Gmail's labels, one X-GM-MSGID in several folders) has one, so that it is stored once. Null: the ID.
    /// </summary>
    public string? StorageName { get; init; }
}

/// <summary>What the ledger remembers of the source, for <see cref="IMailSession.ListAsync"/>.</summary>
/// <param name="SourceState">The <see cref="IMailSession.SourceState"/> the ledger stored last, or null.</param>
/// <param name="Known">The IDs the ledger holds an entry for.</param>
/// <param name="AcceptReset">
/// Whether the listing may accept that the server renumbered a folder (IMAP UIDVALIDITY changed): true only for
/// <c>mailingest adopt</c>, which records what is there now; otherwise such a listing stops the run (docs/recovery.md).
/// </param>
public sealed record ListingRequest(string? SourceState, IReadOnlyCollection<string> Known, bool AcceptReset = false)
{
    /// <summary>A request that remembers nothing: every message is listed.</summary>
    public static ListingRequest Fresh { get; } = new(null, []);
}

/// <summary>How many messages, and how many bytes by the server's listing, one retrieval asks for at most.</summary>
/// <param name="Messages">Messages requested together (POP3: with PIPELINING their RETRs go out at once).</param>
/// <param name="Bytes">Bytes requested together, so that little is in flight when a connection drops.</param>
public sealed record RetrievalWindow(int Messages, long Bytes)
{
    public static RetrievalWindow Default { get; } = new(16, 8 * 1024 * 1024);
}
