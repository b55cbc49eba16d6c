using System.Globalization;
using System.Text;

namespace MailIngest.Ingestion;

/// <summary>What one run of one mailbox did; its <see cref="Summary"/> is the line every run ends with.</summary>
public sealed record MailboxRunResult(string Mailbox, MailboxRunStatus Status)
{
    public int New { get; init; }

    public int Stored { get; init; }

    public int Quarantined { get; init; }

    /// <summary>Messages larger than MaxMessageSize, recorded without fetching.</summary>
    public int Skipped { get; init; }

    /// <summary>Messages given up after MaxAttempts failures of their own, recorded without their bytes.</summary>
    public int Unprocessable { get; init; }

    public int Deleted { get; init; }

    public int Remaining { get; init; }

    public long Bytes { get; init; }

    public TimeSpan Duration { get; init; }

    public string? Error { get; init; }

    /// <summary>Reconnects the run made after transient failures (dropped connections, timeouts, [IN-USE], [SYS/TEMP]).</summary>
    public int Reconnects { get; init; }

    /// <summary>For <c>mailingest adopt</c>: how many IDs were recorded as seen without fetching; null for an ingesting run.</summary>
    public int? Adopted { get; init; }

    /// <summary>For <c>mailingest reingest</c>: how many entries of stored messages were set aside to match by raw SHA-256; null otherwise.</summary>
    public int? SetAside { get; init; }

    /// <summary>Messages fetched again after <c>mailingest reingest</c> whose bytes were stored before: recorded under their old keys, not stored.</summary>
    public int Matched { get; init; }

    /// <summary>Messages the ledger holds back after the run, by state (skipped, failed, retrying); null when the run had no ledger.</summary>
    public IReadOnlyDictionary<Ledger.EntryState, int>? Held { get; init; }

    /// <summary>What the delivery of events after the run did, and what is left in the outbox; null when no sink is configured.</summary>
    public Events.EventDeliveryReport? Events { get; init; }

    /// <summary>Another worker held the mailbox's lock, so this run did nothing.</summary>
    public static MailboxRunResult LockHeld(string mailbox) => new(mailbox, MailboxRunStatus.Skipped);

    /// <summary>The run failed before it held a ledger (the lock or the ledger could not be had).</summary>
    public static MailboxRunResult FailedToStart(string mailbox, string error, TimeSpan duration) =>
        new(mailbox, MailboxRunStatus.Failed) { Error = error, Duration = duration };

    public string Summary
    {
        get
        {
            if (Status == MailboxRunStatus.Skipped)
            {
                return $"{Mailbox}: skipped, another worker holds the mailbox lock";
            }

            var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{Mailbox}: {(Status == MailboxRunStatus.Failed ? "FAILED" : "ok")}, ");
            if (Adopted is { } adopted)
            {
                text.Append(CultureInfo.InvariantCulture, $"adopted {adopted} messages as seen without fetching");
            }
            else if (SetAside is { } setAside)
            {
                text.Append(CultureInfo.InvariantCulture, $"set aside {setAside} stored messages to match by SHA-256 or by Message-ID and body; the next run fetches the rest again");
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"new {New}, stored {Stored}, quarantined {Quarantined}, ");
                if (Matched > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $"matched {Matched} stored before the renumbering, ");
                }

                if (Skipped > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $"skipped {Skipped} over MaxMessageSize, ");
                }

                if (Unprocessable > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $"gave up on {Unprocessable} after MaxAttempts, ");
                }

                text.Append(CultureInfo.InvariantCulture, $"deleted {Deleted}, left for next run {Remaining}, {Bytes} bytes");
            }

            text.Append(CultureInfo.InvariantCulture, $", {Duration.TotalSeconds:0.0} s");
            if (Reconnects > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $", reconnected {Reconnects} times");
            }

            if (Events is { } events)
            {
                text.Append(", ").Append(events.Summary);
            }

            return Error is null ? text.ToString() : text.Append(": ").Append(Error).ToString();
        }
    }
}

public enum MailboxRunStatus
{
    Succeeded,
    Failed,

    /// <summary>Another worker held the mailbox's lock.</summary>
    Skipped,
}
