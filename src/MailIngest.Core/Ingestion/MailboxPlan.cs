namespace MailIngest.Ingestion;

/// <summary>What <c>mailingest once</c> would do to one mailbox now, for <c>mailingest plan</c>.</summary>
/// <param name="Mailbox">The mailbox's configured name.</param>
/// <param name="OnServer">Messages on the server.</param>
/// <param name="New">Messages the ledger does not hold.</param>
/// <param name="NewBytes">Their size by LIST.</param>
/// <param name="Fetch">New messages the next run would fetch, within its budgets.</param>
/// <param name="FetchBytes">Their size by LIST.</param>
/// <param name="Later">New messages the budgets leave for later runs.</param>
/// <param name="Delete">Messages the next run would delete (DeleteAfterIngest): those stored before and those it fetches.</param>
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
    string? Budget,
    string? Blocked);
