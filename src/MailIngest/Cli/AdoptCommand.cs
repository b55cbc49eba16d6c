using System.CommandLine;
using MailIngest.Ingestion;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Cli;

/// <summary>
/// <c>mailingest adopt --mailbox NAME</c>: record every message now on the server as seen, without fetching or deleting
/// any. The recovery after the UIDL guard (or an IMAP folder's new UIDVALIDITY) stopped a run, and the way to start on a
/// mailbox whose history should not be imported. Exit codes as for <c>once</c>.
/// </summary>
internal static class AdoptCommand
{
    public static Command Create()
    {
        var command = new Command(
            "adopt",
            "Mark every message now on the mailbox's server as already ingested, without fetching it (no RETR or FETCH, no deletion): " +
            "0 all succeeded, 1 some mailbox failed, 2 configuration error.")
        {
            Options = { MailboxSelection.Option },
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        // Adopting skips mail for good, so it never applies to "every mailbox" by default.
        if (parseResult.GetValue(MailboxSelection.Option) is not { Length: > 0 })
        {
            await Console.Error.WriteLineAsync("Usage error: adopt needs --mailbox NAME (repeat it for several); it marks mail as seen without storing it.");
            return ExitCodes.ConfigurationError;
        }

        return await MailboxSelection.RunAsync(parseResult, async (app, selected) =>
        {
            var runner = app.Services.GetRequiredService<IMailboxRunner>();
            var results = new List<MailboxRunResult>(selected.Count);
            foreach (var mailbox in selected)
            {
                results.Add(await runner.AdoptAsync(mailbox, app.Options.Mailboxes[mailbox], cancellationToken));
            }

            return await RunReport.WriteAsync(results);
        });
    }
}
