using System.Globalization;

namespace MailIngest.Ingestion;

/// <summary>
/// The UIDL guard (docs/recovery.md): when most of the ledger's IDs are gone from the server and about as many unknown
/// ones have appeared, the server has most likely renamed its messages (a new UIDL scheme, a migrated mailbox), and
/// ingesting the "new" mail would store the whole mailbox a second time. The run stops instead and says how to recover.
/// New mail beside the renamed messages does not hide the renaming: only vanished and appeared IDs are compared.
/// </summary>
/// <param name="MinLedgerEntries">Below this many ledger entries the guard stays quiet: one message replaced by another is ordinary churn.</param>
/// <param name="VanishedRatio">The share of ledger entries that must be gone from the listing.</param>
/// <param name="AppearedRatio">How many unknown IDs must have appeared, as a share of the vanished ones.</param>
internal sealed record UidlGuard(int MinLedgerEntries, double VanishedRatio, double AppearedRatio)
{
    /// <summary>At least 2 entries, at least 80 % of them gone, and at least 80 % as many unknown IDs listed.</summary>
    public static UidlGuard Default { get; } = new(2, 0.8, 0.8);

    /// <summary>Throws <see cref="UidlsChangedException"/> when the listing looks like renamed mail rather than new mail.</summary>
    public void Check(string mailbox, int ledgerEntries, int stillListed, int unknown)
    {
        if (Problem(mailbox, ledgerEntries, stillListed, unknown) is { } problem)
        {
            throw new UidlsChangedException(problem);
        }
    }

    /// <summary>What <see cref="Check"/> would throw, and how to recover; null when the listing looks like new mail.</summary>
    /// <param name="mailbox">For the message.</param>
    /// <param name="ledgerEntries">IDs the ledger holds (before pruning).</param>
    /// <param name="stillListed">How many of them the server still lists.</param>
    /// <param name="unknown">How many listed IDs the ledger does not hold.</param>
    public string? Problem(string mailbox, int ledgerEntries, int stillListed, int unknown) =>
        !Trips(ledgerEntries, stillListed, unknown)
            ? null
            : string.Create(
                CultureInfo.InvariantCulture,
                $"the server's UIDLs changed: {ledgerEntries - stillListed} of the {ledgerEntries} IDs in the ledger are no longer listed " +
                $"and {unknown} unknown ones appeared, so the server most likely renamed its messages (a new UIDL scheme or a migrated mailbox). " +
                $"Nothing was fetched, to avoid storing every message twice. If the messages on the server are the ones already ingested, " +
                $"run 'mailingest adopt --mailbox {mailbox}' to record their new IDs as seen (never fetched, never deleted), then run again; " +
                $"or 'mailingest reingest --mailbox {mailbox}' to fetch them all again and store only those whose bytes (SHA-256) were not stored before (docs/recovery.md).");

    public bool Trips(int ledgerEntries, int stillListed, int unknown)
    {
        var vanished = ledgerEntries - stillListed;
        return ledgerEntries >= MinLedgerEntries && vanished >= VanishedRatio * ledgerEntries && unknown >= AppearedRatio * vanished;
    }
}

/// <summary>The UIDL guard stopped a run: the server's IDs changed wholesale.</summary>
internal sealed class UidlsChangedException(string message) : Exception(message);
