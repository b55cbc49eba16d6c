using System.Text.Json.Serialization;

namespace MailIngest.Ledger;

/// <summary>Counts over the mailbox's whole history.</summary>
public sealed record LedgerTotals(long MessagesStored = 0, long BytesStored = 0, long Quarantined = 0, long Deleted = 0);

/// <summary>What the last run did, for <c>mailingest status</c>.</summary>
public sealed record RecordedRun(
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    RunOutcome Outcome,
    string? Error,
    int NewOnServer,
    int Stored,
    int Quarantined,
    int Deleted,
    long Bytes);

/// <remarks>Named explicitly so that every JSON writer (ledger, <c>status --json</c>) spells the outcome the same way.</remarks>
public enum RunOutcome
{
    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    [JsonStringEnumMemberName("failed")]
    Failed,
}
