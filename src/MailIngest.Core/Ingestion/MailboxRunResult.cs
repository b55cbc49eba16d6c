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
    public string Summary => Status switch
    {
        MailboxRunStatus.Skipped => $"{Mailbox}: skipped, another worker holds the mailbox lock",
        _ => string.Create(
            CultureInfo.InvariantCulture,
            $"{Mailbox}: {(Status == MailboxRunStatus.Failed ? "FAILED" : "ok")}, new {New}, stored {Stored}, quarantined {Quarantined}, deleted {Deleted}, left for next run {Remaining}, {Bytes} bytes, {Duration.TotalSeconds:0.0} s")
            + (Error is null ? "" : $": {Error}"),
    };
}

public enum MailboxRunStatus
{
    Succeeded,
    Failed,
    Skipped,
}
