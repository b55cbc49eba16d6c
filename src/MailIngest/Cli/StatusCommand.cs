using System.CommandLine;
using System.Text.Json;
using MailIngest.Archive;
using MailIngest.Host.Hosting;
using MailIngest.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Cli;

/// <summary><c>mailingest status</c>: what each mailbox's ledger says about it, as a table or as JSON; changes nothing.</summary>
internal static class StatusCommand
{
    private static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Write one JSON document (an array, one object per mailbox) instead of the table.",
    };

    public static Command Create()
    {
        var command = new Command("status", "Show each mailbox's last run, outcome, counts, high-water mark and ledger size: 0 all well, 1 some last run failed.")
        {
            Options = { MailboxSelection.Option, JsonOption },
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (!MailIngestApp.TryStart(MailIngestCli.LoadSettings(parseResult), out var app))
        {
            return ExitCodes.ConfigurationError;
        }

        await using (app)
        {
            if (MailboxSelection.Resolve(parseResult, app.Options) is not { } selected)
            {
                return ExitCodes.ConfigurationError;
            }

            var reader = app.Services.GetRequiredService<MailboxStatusReader>();
            var statuses = new List<MailboxStatus>(selected.Count);
            foreach (var mailbox in selected)
            {
                statuses.Add(MailboxStatus.From(mailbox, await reader.ReadAsync(mailbox, cancellationToken)));
            }

            await Console.Out.WriteAsync(parseResult.GetValue(JsonOption)
                ? JsonSerializer.Serialize(statuses, StatusJson.Default.ListMailboxStatus) + Environment.NewLine
                : StatusTable.Render(statuses, app.Services.GetRequiredService<IMailArchive>().Location));
            return statuses.Any(s => s.LastRun?.Outcome == RunOutcome.Failed) ? ExitCodes.MailboxFailed : ExitCodes.Success;
        }
    }
}
