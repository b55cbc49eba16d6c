using MailIngest.Ingestion;
using MailIngest.Reprocessing;

namespace MailIngest.Host.Cli;

/// <summary>The end of every verb that runs mailboxes: one summary line each on standard output, and the exit code.</summary>
internal static class RunReport
{
    public static Task<int> WriteAsync(IReadOnlyList<MailboxRunResult> results) => WriteAsync(results.Select(r => (r.Summary, r.Status)));

    public static Task<int> WriteAsync(IReadOnlyList<ReprocessResult> results) => WriteAsync(results.Select(r => (r.Summary, r.Status)));

    private static async Task<int> WriteAsync(IEnumerable<(string Summary, MailboxRunStatus Status)> results)
    {
        var failed = false;
        foreach (var (summary, status) in results)
        {
            await Console.Out.WriteLineAsync(summary);
            failed |= status == MailboxRunStatus.Failed;
        }

        return failed ? ExitCodes.MailboxFailed : ExitCodes.Success;
    }
}
