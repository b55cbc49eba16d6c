using MailIngest.Ingestion;

namespace MailIngest.Host.Cli;

/// <summary>The end of every verb that runs mailboxes: one summary line each on standard output, and the exit code.</summary>
internal static class RunReport
{
    public static async Task<int> WriteAsync(IReadOnlyList<MailboxRunResult> results)
    {
        foreach (var result in results)
        {
            await Console.Out.WriteLineAsync(result.Summary);
        }

        return results.Any(r => r.Status == MailboxRunStatus.Failed) ? ExitCodes.MailboxFailed : ExitCodes.Success;
    }
}
