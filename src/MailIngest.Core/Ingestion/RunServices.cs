using MailIngest.Archive;
using MailIngest.Events;
using MailIngest.Ledger;
using Microsoft.Extensions.Logging;

namespace MailIngest.Ingestion;

/// <summary>The services every run of every mailbox shares; a <see cref="MailboxRun"/> holds them beside its own state.</summary>
internal sealed record RunServices(
    IMailArchive Archive,
    LedgerStore Ledgers,
    MessageArchiver Archiver,
    IIngestObserver Observer,
    IProgressSink Progress,
    TimeProvider Time,
    ILogger Logger)
{
    /// <summary>The event port; none unless a sink is configured (docs/events.md).</summary>
    public IMessageEvents Events { get; init; } = NoMessageEvents.Instance;
}
