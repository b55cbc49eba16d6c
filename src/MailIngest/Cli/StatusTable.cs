using System.Globalization;
using System.Text;

namespace MailIngest.Host.Cli;

/// <summary>The people's form of <c>mailingest status</c>: aligned columns, then each failed run's error in full.</summary>
internal static class StatusTable
{
    private static readonly string[] Headers =
        ["MAILBOX", "LAST RUN (UTC)", "TOOK", "OUTCOME", "STORED", "BYTES", "DELETED", "QUARANTINED", "SKIPPED", "UNPROCESSABLE", "RETRYING", "LEDGER", "HIGH-WATER MARK", "LOCKED BY"];

    private static readonly string[] EventHeaders = ["OUTBOX", "OLDEST EVENT", "DEAD LETTERS"];

    /// <param name="statuses">One per mailbox.</param>
    /// <param name="location">The archive's location.</param>
    /// <param name="now">The time the ages of pending events are measured at.</param>
    /// <param name="events">Whether to show the outbox's columns: events are on, or an outbox still holds some.</param>
    public static string Render(IReadOnlyList<MailboxStatus> statuses, string location, DateTimeOffset now, bool events)
    {
        var text = new StringBuilder($"Archive: {location}{Environment.NewLine}");
        TextTable.AppendTo(
            text,
            events ? [.. Headers, .. EventHeaders] : Headers,
            statuses.Select(s => events ? [.. Row(s), .. EventCells(s, now)] : Row(s)));

        foreach (var status in statuses.Where(s => s.LastRun?.Error is not null))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{status.Mailbox}: {status.LastRun!.Error}");
        }

        foreach (var status in statuses.Where(s => s.Skipped + s.Unprocessable > 0))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{status.Mailbox}: {status.Skipped + status.Unprocessable} messages are held back on the server (see quarantine/{status.Mailbox}/*/error.json); 'mailingest retry --mailbox {status.Mailbox}' fetches them again");
        }

        foreach (var status in statuses.Where(s => s.DeadLetters > 0))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{status.Mailbox}: the sink refused {status.DeadLetters} events for good; 'mailingest events --mailbox {status.Mailbox}' lists them, 'mailingest events resend --mailbox {status.Mailbox}' sends them again");
        }

        return text.ToString();
    }

    private static string[] EventCells(MailboxStatus s, DateTimeOffset now) =>
    [
        s.EventsPending.ToString(CultureInfo.InvariantCulture),
        s.OldestEventQueuedAt is { } oldest ? Age(now - oldest) : "-",
        s.DeadLetters.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>An age for people: seconds, minutes, hours or days, whole.</summary>
    public static string Age(TimeSpan age) => age switch
    {
        { TotalMinutes: < 2 } => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (int)age.TotalSeconds)} s"),
        { TotalHours: < 2 } => string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalMinutes} min"),
        { TotalDays: < 2 } => string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours} h"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays} d"),
    };

    private static string[] Row(MailboxStatus s)
    {
        var run = s.LastRun;
        return
        [
            s.Mailbox,
            run is null ? (s.Ingested ? "-" : "never") : run.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            run is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{(run.FinishedAt - run.StartedAt).TotalSeconds:0.0} s"),
            run is null ? "-" : run.Outcome.ToString().ToLowerInvariant(),
            s.Totals.MessagesStored.ToString(CultureInfo.InvariantCulture),
            s.Totals.BytesStored.ToString(CultureInfo.InvariantCulture),
            s.Totals.Deleted.ToString(CultureInfo.InvariantCulture),
            s.Totals.Quarantined.ToString(CultureInfo.InvariantCulture),
            s.Skipped.ToString(CultureInfo.InvariantCulture),
            s.Unprocessable.ToString(CultureInfo.InvariantCulture),
            (s.Retrying + s.InFlight).ToString(CultureInfo.InvariantCulture),
            s.LedgerEntries.ToString(CultureInfo.InvariantCulture),
            s.HighWaterMark ?? "-",
            s.LockHolder ?? "-",
        ];
    }
}
