using System.CommandLine;
using System.Text.Json;
using MailIngest.Archive;
using MailIngest.Events;
using MailIngest.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Cli;

/// <summary><c>mailingest status</c>: what each mailbox's ledger says about it, as a table or as JSON; changes nothing.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Show each mailbox's last run, outcome, counts, messages held back (skipped, unprocessable, retrying), high-water mark, ledger size and event outbox: 0 all well, 1 some last run failed.")
        {
            Options = { MailboxSelection.Option, MailboxSelection.JsonOption },
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
        return command;
    }

    private static Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken) =>
        MailboxSelection.RunAsync(parseResult, async (app, selected) =>
        {
            var reader = app.Services.GetRequiredService<IMailboxStatusReader>();
            var archive = app.Services.GetRequiredService<IMailArchive>();
            var statuses = new List<MailboxStatus>(selected.Count);
            foreach (var mailbox in selected)
            {
                statuses.Add(MailboxStatus.From(
                    mailbox, await reader.ReadAsync(mailbox, cancellationToken), await archive.LockHolderAsync(mailbox, cancellationToken)));
            }

            await Console.Out.WriteAsync(parseResult.GetValue(MailboxSelection.JsonOption)
                ? JsonSerializer.Serialize(statuses, StatusJson.Default.ListMailboxStatus) + Environment.NewLine
                : StatusTable.Render(
                    statuses,
                    archive.Location,
                    TimeProvider.System.GetUtcNow(),
                    app.Services.GetRequiredService<IMessageEvents>().Enabled || statuses.Any(s => s.EventsPending + s.DeadLetters > 0)));
            return statuses.Any(s => s.LastRun?.Outcome == RunOutcome.Failed) ? ExitCodes.MailboxFailed : ExitCodes.Success;
        });
}
