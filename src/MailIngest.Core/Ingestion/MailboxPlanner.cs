using MailIngest.Archive;
using MailIngest.Configuration;
using MailIngest.Ledger;
using MailIngest.Server;

namespace MailIngest.Ingestion;

/// <summary>
/// Works out what the next run of a mailbox would fetch and delete, the way the run itself does (ledger, UIDL guard,
/// budgets), with UIDL and one LIST only: no RETR, no DELE, no lock, nothing written.
/// </summary>
public sealed class MailboxPlanner(IMailServer server, IMailArchive archive)
{
    private readonly LedgerStore _ledgers = new(archive);

    public async Task<MailboxPlan> PlanAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ledger = (await _ledgers.LoadAsync(mailbox, cancellationToken)).Ledger;
        await using var session = await server.OpenAsync(mailbox, options, cancellationToken);
        var listing = new UidlListing(await session.GetUidlsAsync(cancellationToken));
        if (options.UidlGuard && UidlGuard.Default.Problem(mailbox, ledger.Count, listing.Distinct.Count(ledger.Contains), listing.Count) is { } blocked)
        {
            await session.CommitAsync(cancellationToken);
            return new MailboxPlan(mailbox, listing.Count, 0, 0, 0, 0, 0, 0, null, blocked);
        }

        var pending = listing.NotIn(ledger);
        var plan = new MailboxPlan(mailbox, listing.Count, pending.Count, 0, 0, 0, 0, 0, null, null);
        if (pending.Count > 0)
        {
            var sizes = await session.GetSizesAsync(cancellationToken);
            var fetch = FetchPlan.Create(pending, sizes, options);
            plan = plan with
            {
                NewBytes = pending.Sum(i => sizes[i]),
                Fetch = fetch.Count,
                FetchBytes = fetch.Sum(i => sizes[i]),
                Later = pending.Count - fetch.Count,
                Budget = fetch.Budget,
            };
        }

        // QUIT without a DELE: the session changes nothing.
        await session.CommitAsync(cancellationToken);
        var stored = listing.Uidls.Count(ledger.Contains);
        return options.DeleteAfterIngest ? plan with { Delete = stored + plan.Fetch } : plan;
    }
}
