using MailIngest.Archive;
using MailIngest.Events;

namespace MailIngest.Reprocessing;

/// <summary>
/// The <c>mailingest.message.reprocessed</c> event (docs/events.md): for each message a pass changed, the event about its
/// new manifest goes into the mailbox's outbox in the pass's ledger, durably, before the pass goes on. The mailbox's
/// next run delivers it (or <c>mailingest run</c> between runs), oldest first, with the events of ingestion.
/// </summary>
/// <remarks>
/// A pass killed after a message's change and before this record loses that one event: the change is complete, so no
/// later pass repeats it (docs/events.md, "At least once").
/// </remarks>
internal sealed class ReprocessedEvents(ReprocessPass pass) : IReprocessedMessageSink
{
    public async Task ReprocessedAsync(ReprocessedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var manifest = await ArchiveJson.ReadManifestAsync(pass.Archive, message.Folder, cancellationToken)
            ?? throw new InvalidDataException($"{message.Folder}/{ArchiveLayout.ManifestName} is missing right after reprocess wrote it.");
        var facts = EventFacts.OfManifest(MessageEventType.Reprocessed, message.Folder, manifest, message.ReprocessedAt) with
        {
            Change = message.Change switch
            {
                ReprocessChange.Rewritten => "rewritten",
                ReprocessChange.Restored => "restored",
                _ => "fromQuarantine",
            },
        };
        var ledger = await pass.LedgerAsync(cancellationToken);
        ledger.Queue(pass.Services.Events.Prepare(facts));
        pass.ThrowIfLockLost();
        await pass.Services.Ledgers.MakeDurableAsync(ledger, cancellationToken);
    }
}
