using System.Text.Json;
using MailIngest.Archive;

namespace MailIngest.Ledger;

/// <summary>Loads and saves a mailbox's ledger in the archive, with the version check that keeps two writers from overwriting each other.</summary>
internal sealed class LedgerStore(IMailArchive archive)
{
    public async Task<VersionedLedger> LoadAsync(string mailbox, CancellationToken cancellationToken)
    {
        var stored = await archive.ReadAsync(ArchiveLayout.LedgerPath(mailbox), cancellationToken);
        if (stored is null)
        {
            return new VersionedLedger(UidlLedger.Empty(mailbox), null);
        }

        try
        {
            var document = JsonSerializer.Deserialize(stored.Content.Span, ArchiveJson.Readable.LedgerDocument)
                ?? throw new JsonException("it holds null");
            return new VersionedLedger(new UidlLedger(document), stored.Version);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"The ledger {ArchiveLayout.LedgerPath(mailbox)} in {archive.Location} is not valid: {e.Message} " +
                "Restore it from a backup, or delete it to ingest the mailbox again (into the same keys, so nothing is doubled).",
                e);
        }
    }

    /// <summary>Writes the ledger durably if nobody changed it since <paramref name="ledger"/> was loaded or last saved.</summary>
    /// <remarks>
    /// The objects of every message the ledger names are made durable first, so that no crash can leave a ledger entry
    /// (which allows DELE) for a message whose objects were lost; the ledger itself is durable before this returns.
    /// </remarks>
    public async Task SaveAsync(VersionedLedger ledger, CancellationToken cancellationToken)
    {
        await archive.PersistAsync(cancellationToken);
        var document = ledger.Ledger.ToDocument();
        ledger.Version = await ArchiveJson.WriteAsync(
            archive,
            ArchiveLayout.LedgerPath(document.Mailbox),
            document,
            ArchiveJson.Readable.LedgerDocument,
            new ArchiveObjectInfo(ArchiveJson.ContentType, ArchiveObjectKind.Ledger, document.Mailbox),
            WriteCondition.Matching(ledger.Version),
            cancellationToken);
        await archive.PersistAsync(cancellationToken);
    }
}

/// <summary>A ledger with the archive version it was read at or last written as.</summary>
internal sealed class VersionedLedger(UidlLedger ledger, string? version)
{
    public UidlLedger Ledger { get; } = ledger;

    public string? Version { get; set; } = version;
}
