using MailIngest.Configuration;

namespace MailIngest.Server;

/// <summary>Opens authenticated sessions to a mailbox's server; the POP3 adapter implements it.</summary>
public interface IMailServer
{
    Task<IMailSession> OpenAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken);
}

/// <summary>
/// One authenticated session on a mailbox. Messages are addressed by 0-based index into the UIDL listing.
/// Deletions take effect only at <see cref="CommitAsync"/> (POP3 QUIT); disposing without it discards them.
/// Indexes are valid only within one session: after a reconnect the caller lists the UIDLs again.
/// Failures are <see cref="MailServerException"/>s whose <see cref="MailServerException.Failure"/> says whether a new session may help.
/// </summary>
public interface IMailSession : IAsyncDisposable
{
    /// <summary>The least time the server wants between two logins (RFC 2449 LOGIN-DELAY), or null when it announced none.</summary>
    TimeSpan? LoginDelay { get; }

    /// <summary>What the server announced about itself, and the mailbox's size, as of login.</summary>
    MailServerInfo Info { get; }

    /// <summary>The unique ID of every message, in server order (UIDL).</summary>
    Task<IReadOnlyList<string>> GetUidlsAsync(CancellationToken cancellationToken);

    /// <summary>The size of every message in octets, in server order (one LIST).</summary>
    Task<IReadOnlyList<long>> GetSizesAsync(CancellationToken cancellationToken);

    /// <summary>Retrieves the messages (RETR), in the order given, each one's exact bytes as a seekable stream.</summary>
    /// <remarks>A connection lost inside any of them fails the whole call, so no message is ever handed on truncated.</remarks>
    Task<RetrievedMessages> RetrieveAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken);

    /// <summary>Marks messages for deletion (DELE).</summary>
    Task DeleteAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the session (QUIT), which makes the server apply the deletions; throws when deletions were marked and the
    /// server did not acknowledge it (without a deletion there is nothing QUIT could fail to apply).
    /// </summary>
    Task CommitAsync(CancellationToken cancellationToken);
}
