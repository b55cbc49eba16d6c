using System.Globalization;

namespace MailIngest.Ingestion;

/// <summary>What one run of one mailbox did; its <see cref="Summary"/> is the line every run ends with.</summary>
public sealed record MailboxRunResult(
    string Mailbox,
    MailboxRunStatus Status,
    int New,
    int Stored,
    int Quarantined,
    int Deleted,
    int Remaining,
    long Bytes,
    TimeSpan Duration,
    string? Error = null)
{
    /// <summary>Reconnects the run made after transient failures (dropped connections, timeouts, [IN-USE], [SYS/TEMP]).</summary>
    public int Reconnects { get; init; }

    /// <summary>For <c>mailingest adopt</c>: how many UIDLs were recorded as seen without fetching; null for an ingesting run.</summary>
    public int? Adopted { get; init; }

    public string Summary => Status switch
    {
        MailboxRunStatus.Skipped => $"{Mailbox}: skipped, another worker holds the mailbox lock",
        _ => string.Create(CultureInfo.InvariantCulture, $"{Mailbox}: {(Status == MailboxRunStatus.Failed ? "FAILED" : "ok")}, ")
            + (Adopted is { } adopted
                ? string.Create(CultureInfo.InvariantCulture, $"adopted {adopted} messages as seen without fetching")
                : string.Create(CultureInfo.InvariantCulture, $"new {New}, stored {Stored}, quarantined {Quarantined}, deleted {Deleted}, left for next run {Remaining}, {Bytes} bytes"))
            + string.Create(CultureInfo.InvariantCulture, $", {Duration.TotalSeconds:0.0} s")
            + (Reconnects > 0 ? string.Create(CultureInfo.InvariantCulture, $", reconnected {Reconnects} times") : "")
            + (Error is null ? "" : $": {Error}"),
    };
}

public enum MailboxRunStatus
{
    Succeeded,
    Failed,
    Skipped,
}
