using MailIngest.Configuration;

namespace MailIngest.Sources;

/// <summary>
/// Where mail comes from: opens authenticated sessions on a mailbox's server. The POP3 adapter implements it, and every
/// protocol adapter keeps the same contract, so the run (docs/architecture.md) is one loop for all of them.
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
/// Deletions take effect only at <see cref="CommitAsync"/> (POP3 QUIT); disposing without it discards them.
/// Failures are <see cref="MailServerException"/>s whose <see cref="MailServerException.Failure"/> says whether a new session may help.
/// </summary>
public interface IMailSession : IAsyncDisposable
{
    /// <summary>The least time the server wants between two logins (RFC 2449 LOGIN-DELAY), or null when it announced none.</summary>
    TimeSpan? LoginDelay { get; }

    /// <summary>What the server announced about itself, and the mailbox's size, as of login.</summary>
    MailServerInfo Info { get; }

    /// <summary>Every message on the server, in server order (oldest first): POP3 UIDL.</summary>
    Task<IReadOnlyList<ListedMessage>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The size in octets the server gives for every listed message, in listing order (POP3 LIST; an estimate on some servers).</summary>
    Task<IReadOnlyList<long>> GetSizesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Retrieves the messages at <paramref name="positions"/>, in that order, writing each one's exact bytes into the
    /// stream <paramref name="target"/> opens for it. A message the server refuses alone (a RETR answered <c>-ERR</c>)
    /// is reported to <paramref name="target"/> and the rest follow; a lost connection fails the call, and a message
    /// it cut short is never reported complete.
    /// </summary>
    Task RetrieveAsync(IReadOnlyList<int> positions, IRetrievalTarget target, CancellationToken cancellationToken);

    /// <summary>The header block of the message at <paramref name="position"/> (POP3 <c>TOP n 0</c>), cut at <paramref name="maxBytes"/>.</summary>
    Task<string> ReadHeaderAsync(int position, int maxBytes, CancellationToken cancellationToken);

    /// <summary>Marks messages for deletion (POP3 DELE); they are deleted at <see cref="CommitAsync"/>.</summary>
    Task DeleteAsync(IReadOnlyList<int> positions, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the session (POP3 QUIT), which makes the server apply the deletions; throws when deletions were marked and
    /// the server did not acknowledge them.
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
/// <param name="Id">The message's unique ID on the server, the ledger's key for it: the POP3 UIDL.</param>
public sealed record ListedMessage(string Id);
