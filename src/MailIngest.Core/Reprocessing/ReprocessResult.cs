using System.Globalization;
using System.Text;
using MailIngest.Ingestion;

namespace MailIngest.Reprocessing;

/// <summary>What a reprocess of one mailbox did; its <see cref="Summary"/> is the line the pass ends with.</summary>
public sealed record ReprocessResult(string Mailbox, MailboxRunStatus Status)
{
    /// <summary>Messages read and decoded: stored messages, or quarantined ones with their raw bytes.</summary>
    public int Examined { get; init; }

    public int Rewritten { get; init; }

    public int Restored { get; init; }

    public int Unchanged { get; init; }

    /// <summary>Quarantined messages that decoded now and moved into <c>messages/</c>.</summary>
    public int FromQuarantine { get; init; }

    /// <summary>Quarantined messages that still do not decode; they stay, with the new error.</summary>
    public int StillFailing { get; init; }

    /// <summary>Messages that could not be reprocessed (a raw message missing, a stored one that no longer decodes); each is logged.</summary>
    public int Failed { get; init; }

    /// <summary>Read and decoded only: the counts say what a pass would do.</summary>
    public bool DryRun { get; init; }

    public TimeSpan Duration { get; init; }

    public string? Error { get; init; }

    /// <summary>Another worker held the mailbox's lock: nothing was read.</summary>
    public static ReprocessResult LockHeld(string mailbox) =>
        new(mailbox, MailboxRunStatus.Failed) { Error = "another worker holds the mailbox lock; reprocess it again when that run is over" };

    public string Summary
    {
        get
        {
            var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{Mailbox}: {(Status == MailboxRunStatus.Failed ? "FAILED" : "ok")}, ");
            if (DryRun)
            {
                text.Append("dry run (nothing written), ");
            }

            text.Append(CultureInfo.InvariantCulture, $"examined {Examined}, rewritten {Rewritten}, restored {Restored}, unchanged {Unchanged}, ");
            text.Append(CultureInfo.InvariantCulture, $"from quarantine {FromQuarantine}, still failing {StillFailing}, ");
            if (Failed > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"failed {Failed}, ");
            }

            text.Append(CultureInfo.InvariantCulture, $"{Duration.TotalSeconds:0.0} s");
            return Error is null ? text.ToString() : text.Append(": ").Append(Error).ToString();
        }
    }
}
