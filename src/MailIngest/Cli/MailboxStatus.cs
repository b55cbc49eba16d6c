using System.Text.Json.Serialization;
using MailIngest.Ledger;

namespace MailIngest.Host.Cli;

/// <summary>One mailbox's line of <c>mailingest status</c>: the ledger's summary, and who holds the mailbox now.</summary>
/// <param name="Mailbox">The mailbox's configured name.</param>
/// <param name="Ingested">Whether the mailbox was ever ingested.</param>
/// <param name="LedgerEntries">Messages on the server the ledger knows of.</param>
/// <param name="Seen">Adopted: never fetched, never deleted.</param>
/// <param name="Skipped">Larger than MaxMessageSize: not fetched, until <c>mailingest retry</c>.</param>
/// <param name="Unprocessable">Given up after MaxAttempts: not fetched, until <c>mailingest retry</c>.</param>
/// <param name="Retrying">Failed fewer than MaxAttempts times: the next run tries again.</param>
/// <param name="InFlight">Messages a run was handling when it died; the next run counts an attempt for each.</param>
/// <param name="HighWaterMark">The newest ingested ID in server order.</param>
/// <param name="Totals">Counts over the mailbox's history.</param>
/// <param name="LastRun">What the last run did.</param>
/// <param name="LockHolder">Who holds the mailbox's lock now.</param>
/// <param name="EventsPending">Events waiting in the outbox (docs/events.md).</param>
/// <param name="OldestEventQueuedAt">When the oldest of them was queued.</param>
/// <param name="DeadLetters">Events the sink refused for good, until <c>mailingest events resend</c>.</param>
internal sealed record MailboxStatus(
    string Mailbox,
    bool Ingested,
    int LedgerEntries,
    int Seen,
    int Skipped,
    int Unprocessable,
    int Retrying,
    int InFlight,
    string? HighWaterMark,
    LedgerTotals Totals,
    RecordedRun? LastRun,
    string? LockHolder,
    int EventsPending = 0,
    DateTimeOffset? OldestEventQueuedAt = null,
    int DeadLetters = 0)
{
    /// <summary>What a mailbox never ingested has: no ledger entries, no totals, no run.</summary>
    private static readonly LedgerStatus NeverIngested = new(
        Entries: 0, ByState: new Dictionary<EntryState, int>(), InFlight: 0, HighWaterMark: null, Totals: new LedgerTotals(), LastRun: null);

    public static MailboxStatus From(string mailbox, LedgerStatus? ledger, string? lockHolder)
    {
        var status = ledger ?? NeverIngested;
        return new MailboxStatus(
            mailbox,
            Ingested: ledger is not null,
            status.Entries,
            status.Count(EntryState.Seen),
            status.Count(EntryState.Skipped),
            status.Count(EntryState.Failed),
            status.Count(EntryState.Retrying),
            status.InFlight,
            status.HighWaterMark,
            status.Totals,
            status.LastRun,
            lockHolder,
            status.EventsPending,
            status.OldestEventQueuedAt,
            status.DeadLetters);
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(List<MailboxStatus>))]
internal sealed partial class StatusJson : JsonSerializerContext;
