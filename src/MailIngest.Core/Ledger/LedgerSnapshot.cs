using MailIngest.Events;

namespace MailIngest.Ledger;

/// <summary>
/// <c>state/{mailbox}.json</c>: the ledger as of its last compaction. The changes since then are the lines of the
/// journal <see cref="Journal"/> names, replayed on top (docs/storage.md, "The ledger").
/// </summary>
/// <param name="SchemaVersion">2; a version 1 ledger (a bare list of UIDLs) is read and rewritten as version 2.</param>
/// <param name="Mailbox">The mailbox's configured name.</param>
/// <param name="Journal">The generation of the journal that continues this snapshot: <c>state/{mailbox}.journal-{Journal}.jsonl</c>.</param>
/// <param name="HighWaterMark">The newest ingested ID in server order.</param>
/// <param name="Messages">An entry for every message on the server the ledger knows of.</param>
/// <param name="Totals">Counts over the mailbox's history.</param>
/// <param name="LastRun">What the last run did.</param>
/// <param name="Uidls">Version 1 only: the UIDLs it held, stored and adopted alike.</param>
/// <param name="SourceState">What the mail source asked to remember between sessions (IMAP: each folder's UIDVALIDITY, UIDNEXT and count).</param>
/// <param name="Renumbered">Entries set aside by <c>mailingest reingest</c>, matched by raw SHA-256 until the re-ingest is done.</param>
internal sealed record LedgerSnapshot(
    int SchemaVersion,
    string Mailbox,
    int Journal,
    string? HighWaterMark,
    IReadOnlyList<LedgerEntry>? Messages,
    LedgerTotals? Totals,
    RecordedRun? LastRun,
    IReadOnlyList<string>? Uidls = null,
    string? SourceState = null,
    IReadOnlyList<LedgerEntry>? Renumbered = null)
{
    public const int CurrentSchemaVersion = 2;

    /// <summary>Events waiting to be delivered (docs/events.md).</summary>
    public IReadOnlyList<PendingEvent>? Outbox { get; init; }

    /// <summary>Events the sink refused for good, until <c>mailingest events resend</c>.</summary>
    public IReadOnlyList<DeadLetter>? DeadLetters { get; init; }
}

/// <summary>
/// One line of the journal: what changed since the line before. Every field is optional; replaying the lines in order
/// over the snapshot gives the ledger.
/// </summary>
internal sealed record LedgerChange
{
    /// <summary>Entries added or replaced.</summary>
    public IReadOnlyList<LedgerEntry>? Put { get; init; }

    /// <summary>IDs forgotten: gone from the server, or cleared by <c>mailingest retry</c>.</summary>
    public IReadOnlyList<string>? Remove { get; init; }

    /// <summary>IDs whose retrieval starts now. One the journal never lands belonged to a run that died while handling it.</summary>
    public IReadOnlyList<string>? InFlight { get; init; }

    /// <summary>IDs whose retrieval ended, with their outcome recorded or not their fault (a lost connection).</summary>
    public IReadOnlyList<string>? Landed { get; init; }

    public string? HighWaterMark { get; init; }

    public LedgerTotals? Totals { get; init; }

    public RecordedRun? LastRun { get; init; }

    /// <summary>Events queued, each with its JSON as it will be sent; written behind the durability barrier, like kept entries (docs/events.md).</summary>
    public IReadOnlyList<PendingEvent>? Queued { get; init; }

    /// <summary>IDs of events delivered: they left the outbox.</summary>
    public IReadOnlyList<string>? Delivered { get; init; }

    /// <summary>Events the sink refused for good: dead letters.</summary>
    public IReadOnlyList<DeadLetter>? Dead { get; init; }

    /// <summary>The mail source's state to remember; empty forgets it (<c>mailingest retry</c>).</summary>
    public string? SourceState { get; init; }

    /// <summary>All entries set aside by <c>mailingest reingest</c> as of this line; empty: the re-ingest is done.</summary>
    public IReadOnlyList<LedgerEntry>? Renumbered { get; init; }
}
