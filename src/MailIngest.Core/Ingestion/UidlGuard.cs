using System.Globalization;

namespace MailIngest.Ingestion;

/// <summary>
/// The UIDL guard of DESIGN.md: when most of the ledger's UIDLs are gone from the server while the server still lists
/// about as many messages, the server has most likely renamed its messages (a new UIDL scheme, a migrated mailbox), and
/// ingesting "new" mail would store the whole mailbox a second time. The run stops instead and says how to recover.
/// </summary>
/// <param name="MinLedgerEntries">Below this many ledger entries the guard stays quiet: small mailboxes churn legitimately.</param>
/// <param name="MissingRatio">The share of ledger entries that must be gone from the listing.</param>
/// <param name="CountTolerance">How far the server's message count may stray from the ledger's size, as a share of it.</param>
internal sealed record UidlGuard(int MinLedgerEntries, double MissingRatio, double CountTolerance)
{
    /// <summary>At least 10 entries, at least 80 % of them missing, and the server's count within ±20 % of the ledger's size.</summary>
    public static UidlGuard Default { get; } = new(10, 0.8, 0.2);

    /// <summary>Throws <see cref="UidlsChangedException"/> when the listing looks like renamed mail rather than new mail.</summary>
    /// <param name="mailbox">For the message.</param>
    /// <param name="ledgerEntries">UIDLs the ledger holds (before pruning).</param>
    /// <param name="stillListed">How many of them the server still lists.</param>
    /// <param name="onServer">Messages the server lists now.</param>
    public void Check(string mailbox, int ledgerEntries, int stillListed, int onServer)
    {
        if (Problem(mailbox, ledgerEntries, stillListed, onServer) is { } problem)
        {
            throw new UidlsChangedException(problem);
        }
    }

    /// <summary>What <see cref="Check"/> would throw, and how to recover; null when the listing looks like new mail.</summary>
    public string? Problem(string mailbox, int ledgerEntries, int stillListed, int onServer) =>
        !Trips(ledgerEntries, stillListed, onServer)
            ? null
            : string.Create(
                CultureInfo.InvariantCulture,
                $"the server's UIDLs changed: {ledgerEntries - stillListed} of the {ledgerEntries} UIDLs in the ledger are no longer listed, " +
                $"yet the server still lists {onServer} messages, so it most likely renamed them (a new UIDL scheme or a migrated mailbox). " +
                $"Nothing was fetched, to avoid storing every message twice. If the messages on the server are the ones already ingested, " +
                $"run 'mailingest adopt --mailbox {mailbox}' to record their new UIDLs as seen, then run again; " +
                $"to ingest them all again instead (under new keys), delete the ledger state/{mailbox}.json.");

    public bool Trips(int ledgerEntries, int stillListed, int onServer)
    {
        if (ledgerEntries < MinLedgerEntries)
        {
            return false;
        }

        var missing = ledgerEntries - stillListed;
        return missing >= MissingRatio * ledgerEntries && Math.Abs(onServer - ledgerEntries) <= CountTolerance * ledgerEntries;
    }
}

/// <summary>The UIDL guard stopped a run: the server's UIDLs changed wholesale.</summary>
public sealed class UidlsChangedException(string message) : Exception(message);
