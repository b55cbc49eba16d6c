using MailIngest.Configuration;
using MailIngest.Ledger;

namespace MailIngest.Ingestion;

/// <summary>What <c>mailingest once</c> would do to one mailbox now, for <c>mailingest plan</c>: the run's own plan, stopped before fetching.</summary>
/// <param name="Mailbox">The mailbox's configured name.</param>
/// <param name="OnServer">Messages on the server.</param>
/// <param name="New">Messages to fetch: new ones, ones to retry, and stored ones whose ID may have been reused.</param>
/// <param name="NewBytes">Their size by the server's listing.</param>
/// <param name="Fetch">Messages the next run would fetch, within its budgets.</param>
/// <param name="FetchBytes">Their size by the server's listing.</param>
/// <param name="Later">Messages the budgets leave for later runs.</param>
/// <param name="Delete">Messages the next run would delete (DeleteAfterIngest) or move (MoveToFolder): kept ones still on the server, and those it fetches.</param>
/// <param name="Skip">Messages it would record as skipped, larger than MaxMessageSize.</param>
/// <param name="GiveUp">Messages it would record as unprocessable, out of attempts.</param>
/// <param name="Skipped">Messages the ledger holds as skipped (until <c>mailingest retry</c>).</param>
/// <param name="Unprocessable">Messages the ledger holds as unprocessable (until <c>mailingest retry</c>).</param>
/// <param name="Budget">The budget that leaves messages for later, if any.</param>
/// <param name="Blocked">Why the next run would stop without fetching (the UIDL guard), if it would.</param>
public sealed record MailboxPlan(
    string Mailbox,
    int OnServer,
    int New,
    long NewBytes,
    int Fetch,
    long FetchBytes,
    int Later,
    int Delete,
    int Skip,
    int GiveUp,
    int Skipped,
    int Unprocessable,
    string? Budget,
    string? Blocked)
{
    internal static MailboxPlan From(string mailbox, MailboxLedger ledger, RunPlan plan, MailboxOptions options)
    {
        var entries = ledger.Entries();
        var fetch = plan.Fetch.ToHashSet();
        // Fetched messages are deleted once stored; a copy of an ID listed twice only when every copy is fetched.
        var delete = options.RemovesIngested
            ? plan.Deletable.Count + plan.Fetch.Count(p => plan.Listing.CopiesOf(p).All(fetch.Contains))
            : 0;
        return new MailboxPlan(
            mailbox,
            plan.Listing.Count,
            plan.New,
            plan.NewBytes,
            plan.Fetch.Count,
            plan.FetchBytes,
            plan.Later,
            delete,
            plan.Record.Count(r => r.State == EntryState.Skipped),
            plan.Record.Count(r => r.State == EntryState.Failed),
            entries.Count(e => e.State == EntryState.Skipped),
            entries.Count(e => e.State == EntryState.Failed),
            plan.Budget,
            null);
    }

    internal static MailboxPlan BlockedBy(string mailbox, MailboxLedger ledger, string problem)
    {
        var entries = ledger.Entries();
        return new MailboxPlan(
            mailbox,
            OnServer: 0,
            New: 0,
            NewBytes: 0,
            Fetch: 0,
            FetchBytes: 0,
            Later: 0,
            Delete: 0,
            Skip: 0,
            GiveUp: 0,
            Skipped: entries.Count(e => e.State == EntryState.Skipped),
            Unprocessable: entries.Count(e => e.State == EntryState.Failed),
            Budget: null,
            Blocked: problem);
    }
}

/// <summary>What <c>mailingest retry</c> did to one mailbox.</summary>
/// <param name="Mailbox">The mailbox's configured name.</param>
/// <param name="Cleared">The IDs whose records were cleared: the next run fetches them again.</param>
/// <param name="Error">Why nothing was cleared, if so.</param>
public sealed record RetryResult(string Mailbox, IReadOnlyList<string> Cleared, string? Error)
{
    public static RetryResult LockHeld(string mailbox) => new(mailbox, [], "another worker holds the mailbox lock; try again when its run is over");

    public static RetryResult Refused(string mailbox, IReadOnlyList<string> unknown, IReadOnlyList<string> notRetryable) => new(
        mailbox,
        [],
        string.Join(
            "; ",
            new[]
            {
                unknown.Count > 0 ? $"the ledger holds no message with ID {string.Join(", ", unknown)}" : null,
                notRetryable.Count > 0
                    ? $"{string.Join(", ", notRetryable)} {(notRetryable.Count == 1 ? "is" : "are")} not skipped, unprocessable or being retried (a message whose bytes are kept is decoded again by 'mailingest reprocess', not fetched again)"
                    : null,
            }.OfType<string>()) + "; nothing was cleared");
}
