using System.CommandLine;
using MailIngest.Host.Hosting;
using MailIngest.Host.Scheduling;

namespace MailIngest.Host.Cli;

/// <summary><c>mailingest run</c>: schedule every mailbox with Quartz and ingest on its cron schedule until stopped.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Ingest every mailbox on its Schedule until stopped (SIGTERM, Ctrl+C): 0 stopped cleanly, 2 configuration error.");
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (!MailIngestApp.TryStart(MailIngestCli.LoadSettings(parseResult), out var app, builder => builder.AddMailboxScheduler()))
        {
            return ExitCodes.ConfigurationError;
        }

        await using (app)
        {
            await app.RunAsync(cancellationToken);
            return ExitCodes.Success;
        }
    }
}
