namespace MailIngest.Configuration;

/// <summary>One mailbox to ingest: where it is, how to log in, and how much one run may do.</summary>
public sealed class MailboxOptions
{
    /// <summary>How the mailbox is reached: Pop3 (the default) or Imap.</summary>
    public MailProtocol Protocol { get; set; } = MailProtocol.Pop3;

    /// <summary>The mail server's host name. Required.</summary>
    public string Host { get; set; } = "";

    /// <summary>
    /// The server's port; 0 picks the usual one for <see cref="Protocol"/> and <see cref="Security"/> (POP3 995 for Auto
    /// and SslOnConnect, else 110; IMAP 993, else 143).
    /// </summary>
    public int Port { get; set; }

    /// <summary>
    /// Transport security, by MailKit's names. Auto (the default) is TLS on connect for port 995 and required STARTTLS on
    /// any other; plaintext happens only with None written out.
    /// </summary>
    public MailSecurity Security { get; set; } = MailSecurity.Auto;

    /// <summary>
    /// A PEM file of certificates to trust for this mailbox besides the system's CAs: the CA that issued the server's
    /// certificate, or the self-signed certificate itself. The server's certificate and host name are always checked.
    /// </summary>
    public string CertificateAuthorityFile { get; set; } = "";

    /// <summary>Login name. Required.</summary>
    public string Username { get; set; } = "";

    /// <summary>Password; set it from a secret (environment <c>MailIngest__Mailboxes__NAME__Password</c> or <see cref="PasswordFile"/>), not in the configuration file.</summary>
    public string Password { get; set; } = "";

    /// <summary>
    /// A file holding the password instead of <see cref="Password"/> (one trailing newline is not part of it), read at
    /// every session so that a rotated Kubernetes Secret mounted as a file takes effect at the next run.
    /// </summary>
    public string PasswordFile { get; set; } = "";

    /// <summary>The password for a new session: from <see cref="PasswordFile"/> when set, else <see cref="Password"/>.</summary>
    public string ReadPassword() => string.IsNullOrEmpty(PasswordFile) ? Password : SecretFile.Read(PasswordFile);

    /// <summary>
    /// A file holding an OAuth2 access token, which a sidecar keeps fresh; when set, the login is SASL XOAUTH2 (or
    /// OAUTHBEARER when the server offers only that) instead of a password. Read at every session, because tokens
    /// expire within hours while <c>mailingest run</c> lasts for weeks.
    /// </summary>
    public string AccessTokenFile { get; set; } = "";

    /// <summary>
    /// When set, sessions log in with SASL XOAUTH2 using a token this mailbox gets from Microsoft Entra ID itself,
    /// instead of a password or an <see cref="AccessTokenFile"/>.
    /// </summary>
    public Microsoft365Options? Microsoft365 { get; set; }

    /// <summary>Quartz cron expression for <c>mailingest run</c>.</summary>
    public string Schedule { get; set; } = "0 0/5 * * * ?";

    /// <summary>
    /// Delete messages from the server once their manifest and ledger entry are durably stored (IMAP: <c>\Deleted</c> and
    /// UID EXPUNGE of exactly those messages, which needs the server's UIDPLUS).
    /// </summary>
    public bool DeleteAfterIngest { get; set; }

    /// <summary>
    /// IMAP: the folders to ingest, each with its own UIDs; empty means INBOX alone. (A list that starts empty, because
    /// configuration binding adds to a list rather than replacing it.)
    /// </summary>
    public List<string> Folders { get; set; } = [];

    /// <summary>IMAP: flag each message <c>\Seen</c> once it is durably stored; never earlier, and never otherwise.</summary>
    public bool MarkSeen { get; set; }

    /// <summary>
    /// IMAP: move each message to this folder once it is durably stored (MOVE, or COPY, <c>\Deleted</c> and UID
    /// EXPUNGE); empty leaves it where it is. Not together with <see cref="DeleteAfterIngest"/>.
    /// </summary>
    public string MoveToFolder { get; set; } = "";

    /// <summary>
    /// IMAP, <c>mailingest run</c>: keep an IDLE connection to each folder and run the mailbox within seconds of new
    /// mail, besides its <see cref="Schedule"/>.
    /// </summary>
    public bool Idle { get; set; }

    /// <summary>The folders an IMAP mailbox ingests: <see cref="Folders"/>, or INBOX when it lists none.</summary>
    internal IReadOnlyList<string> EffectiveFolders => Folders.Count == 0 ? ["INBOX"] : Folders;

    /// <summary>Whether ingested messages leave the listed folder: deleted, or moved to <see cref="MoveToFolder"/>.</summary>
    internal bool RemovesIngested => DeleteAfterIngest || MoveToFolder.Length > 0;

    /// <summary>Most messages one run fetches; 0 means no limit. The rest wait for the next run.</summary>
    public int MaxMessagesPerRun { get; set; }

    /// <summary>Most bytes (by the server's LIST sizes) one run fetches; 0 means no limit. A run always fetches at least one message.</summary>
    public long MaxBytesPerRun { get; set; }

    /// <summary>
    /// Largest message fetched, by the server's listed size; 0 means no limit. A larger one is not fetched but recorded
    /// (with its headers) as skipped, stays on the server, and holds up nothing; <c>mailingest retry</c> fetches it after
    /// the limit is raised. Use it to keep messages within what the pod's memory and temp space are sized for.
    /// </summary>
    public long MaxMessageSize { get; set; }

    /// <summary>
    /// Failed attempts, by the message's own fault (the run died or ran out of memory handling it, the server refused to
    /// send it), after which a message is given up: recorded as unprocessable with its headers, left on the server, and
    /// passed by, until <c>mailingest retry</c>. Outages of server, network or storage never count.
    /// </summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// Wall time after which a run starts no new message, and cuts off a retrieval still going on one <see cref="Timeout"/>
    /// later (keeping what is stored); zero means no limit. A run always stores at least one message.
    /// </summary>
    public TimeSpan MaxRunTime { get; set; } = TimeSpan.Zero;

    /// <summary>Make the ledger durable after this many stored messages (and before deleting, and at the end of the run).</summary>
    public int LedgerFlushEvery { get; set; } = 25;

    /// <summary>Make the ledger durable at least this often while messages are being stored.</summary>
    public TimeSpan LedgerFlushInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Timeout for each network operation (POP3 or IMAP).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Reconnects after a dropped connection, a timeout, [IN-USE] or [SYS/TEMP] within one run; 0 disables retrying.</summary>
    public int RetryAttempts { get; set; } = 5;

    /// <summary>Delay before the first reconnect; each further one doubles it (with jitter), up to one minute.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>No reconnect starts later than this after the run's first attempt, however many attempts are left.</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// POP3: stop a run when most ledger UIDLs vanish while the server's message count stays about the same (see the
    /// recovery steps in docs/recovery.md). Turn it off only for servers that hide fetched mail from later sessions, such
    /// as Gmail's normal POP mode. IMAP mailboxes are guarded by each folder's UIDVALIDITY instead.
    /// </summary>
    public bool UidlGuard { get; set; } = true;

    /// <summary>
    /// Once a whole run's worth of attempts in a row has failed, the mailbox's circuit opens and further attempts fail at
    /// once for this long (matters for the long-running scheduler, which keeps one breaker per mailbox across runs).
    /// </summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>The protocol a mailbox is read with.</summary>
public enum MailProtocol
{
    Pop3,
    Imap,
}

/// <summary>
/// Transport security for a POP3 or IMAP connection, named as MailKit's <c>SecureSocketOptions</c>. StartTlsWhenAvailable is
/// refused by validation: it silently falls back to plaintext when the server (or someone in between) offers no STLS or
/// STARTTLS.
/// </summary>
public enum MailSecurity
{
    None,
    Auto,
    SslOnConnect,
    StartTls,
    StartTlsWhenAvailable,
}
