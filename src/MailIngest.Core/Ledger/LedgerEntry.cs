using System.Text.Json.Serialization;

namespace MailIngest.Ledger;

/// <summary>What the ledger knows of one message still on the server (docs/architecture.md, "The ledger").</summary>
/// <param name="Id">The message's ID on the server (POP3 UIDL).</param>
/// <param name="State">What became of it; only <see cref="EntryState.Stored"/> and <see cref="EntryState.Quarantined"/> messages are ever deleted.</param>
public sealed record LedgerEntry(string Id, EntryState State)
{
    /// <summary>The size the server listed for it when it was recorded: a different size under the same ID is another message.</summary>
    public long? Size { get; init; }

    /// <summary>The SHA-256 of the raw message as stored (stored and quarantined messages).</summary>
    public string? Sha256 { get; init; }

    /// <summary>The message's key when it is not the one its ID gives (a reused ID whose first message is stored under that one).</summary>
    public string? Key { get; init; }

    /// <summary>Attempts to fetch and store it that failed by its own fault (a crash, running out of memory, a refused RETR).</summary>
    public int Attempts { get; init; }

    /// <summary>Why the last attempt failed, or why it was skipped.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// A DELE was sent for it and the server's acknowledgement of QUIT not yet recorded. Still listed in a later session,
    /// it may be the same message (the deletion never happened) or a new one under a reused ID, so it is fetched again
    /// and compared before anything else is done with it.
    /// </summary>
    public bool Deleting { get; init; }

    /// <summary>
    /// Of an entry set aside by <c>mailingest reingest</c>: the stored message's Message-ID, by which, with the same body,
    /// a copy whose header the server rewrote is recognised (docs/recovery.md).
    /// </summary>
    public string? MessageId { get; init; }

    /// <summary>Of an entry set aside by <c>mailingest reingest</c>: where its raw message is stored, read to compare bodies.</summary>
    public string? RawPath { get; init; }

    /// <summary>Whether its bytes are kept in the archive, so that deleting it from the server loses nothing.</summary>
    [JsonIgnore]
    public bool IsKept => State is EntryState.Stored or EntryState.Quarantined;
}

/// <summary>What became of a message the ledger holds.</summary>
public enum EntryState
{
    /// <summary>Its manifest is stored under <c>messages/</c>.</summary>
    [JsonStringEnumMemberName("stored")]
    Stored,

    /// <summary>It could not be decoded; its raw bytes are kept under <c>quarantine/</c>.</summary>
    [JsonStringEnumMemberName("quarantined")]
    Quarantined,

    /// <summary>Recorded by <c>mailingest adopt</c> without fetching: never fetched, never deleted.</summary>
    [JsonStringEnumMemberName("seen")]
    Seen,

    /// <summary>Larger than the mailbox's <c>MaxMessageSize</c>: not fetched, never deleted, until <c>mailingest retry</c>.</summary>
    [JsonStringEnumMemberName("skipped")]
    Skipped,

    /// <summary>Failed <c>MaxAttempts</c> times by its own fault: passed by, never deleted, until <c>mailingest retry</c>.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Failed fewer than <c>MaxAttempts</c> times: fetched again, alone, by the next run.</summary>
    [JsonStringEnumMemberName("retrying")]
    Retrying,
}
