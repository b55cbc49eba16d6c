namespace MailIngest.Archive;

/// <summary>Points in a mailbox run that outside code may watch: progress reporting, and fault injection in crash tests.</summary>
public interface IIngestObserver
{
    /// <param name="mailbox">The mailbox whose run reached the step.</param>
    /// <param name="reached">The step.</param>
    /// <param name="messageId">The message the step is about, for the steps of one message; else null.</param>
    void OnStep(string mailbox, IngestStep reached, string? messageId);
}

/// <summary>The moments of the core loop at which the archive's or the server's state changes (docs/architecture.md).</summary>
public enum IngestStep
{
    /// <summary>A message is recorded as in flight and its retrieval is about to start.</summary>
    Retrieving,

    /// <summary>A message's raw bytes are stored (its manifest is not yet).</summary>
    RawStored,

    /// <summary>A message's manifest is stored: the message counts as stored, its ledger entry is not yet durable.</summary>
    ManifestStored,

    /// <summary>The ledger is about to be made durable (before deletions, and every LedgerFlushEvery messages).</summary>
    LedgerFlushing,

    /// <summary>Deletions are marked and the session is about to QUIT, which applies them.</summary>
    Committing,

    /// <summary>The server acknowledged QUIT, so its deletions are applied; the ledger does not say so yet.</summary>
    Committed,

    /// <summary>An event is about to be sent to the sink (the step's message ID is the event's ID).</summary>
    Delivering,

    /// <summary>
    /// <c>mailingest reprocess</c> wrote one of a message's objects (its raw bytes taken from quarantine, a body, an
    /// attachment); the message's new manifest is not written yet, so its old one (or none) still stands.
    /// </summary>
    ReprocessObjectWritten,

    /// <summary>
    /// <c>mailingest reprocess</c> wrote a message's new manifest; the objects it no longer names, and for a message taken
    /// from quarantine its ledger entry and its quarantine folder, are not handled yet.
    /// </summary>
    ReprocessManifestWritten,
}
