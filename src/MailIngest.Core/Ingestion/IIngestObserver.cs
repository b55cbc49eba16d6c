namespace MailIngest.Ingestion;

/// <summary>Points in a mailbox run that outside code may watch: progress reporting, and fault injection in crash tests.</summary>
public interface IIngestObserver
{
    void OnStep(string mailbox, IngestStep reached);
}

/// <summary>The moments of the core loop at which the archive's state changes (DESIGN.md, "The run of one mailbox").</summary>
public enum IngestStep
{
    /// <summary>A message's raw bytes are stored (its manifest is not yet).</summary>
    RawStored,

    /// <summary>A message's manifest is stored: the message counts as stored, its ledger entry is not yet durable.</summary>
    ManifestStored,

    /// <summary>The ledger is about to be written.</summary>
    LedgerFlushing,

    /// <summary>Deletions are marked and the session is about to QUIT, which applies them.</summary>
    Committing,
}
