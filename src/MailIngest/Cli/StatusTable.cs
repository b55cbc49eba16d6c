using System.Globalization;
using System.Text;

namespace MailIngest.Host.Cli;

/// <summary>The people's form of <c>mailingest status</c>: aligned columns, then each failed run's error in full.</summary>
internal static class StatusTable
{
    private static readonly string[] Headers =
        ["MAILBOX", "LAST RUN (UTC)", "TOOK", "OUTCOME", "STORED", "BYTES", "DELETED", "QUARANTINED", "SKIPPED", "UNPROCESSABLE", "RETRYING", "LEDGER", "HIGH-WATER MARK", "LOCKED BY"];

    public static string Render(IReadOnlyList<MailboxStatus> statuses, string location)
    {
        var text = new StringBuilder($"Archive: {location}{Environment.NewLine}");
        TextTable.AppendTo(text, Headers, statuses.Select(Row));

        foreach (var status in statuses.Where(s => s.LastRun?.Error is not null))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{status.Mailbox}: {status.LastRun!.Error}");
        }

        foreach (var status in statuses.Where(s => s.Skipped + s.Unprocessable > 0))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{status.Mailbox}: {status.Skipped + status.Unprocessable} messages are held back on the server (see quarantine/{status.Mailbox}/*/error.json); 'mailingest retry --mailbox {status.Mailbox}' fetches them again");
        }

        return text.ToString();
    }

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
