using System.CommandLine;
using MailIngest.Ingestion;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Cli;

/// <summary>
/// <c>mailingest reingest --mailbox NAME</c>: the other recovery after an IMAP folder's new UIDVALIDITY (or the UIDL
/// guard) stopped a run. Accepts the server's new numbering and sets aside the ledger's entries of stored messages it no
/// longer lists; the next run fetches everything again and records each message whose raw SHA-256 one of them holds under
/// its old key, storing only the others (docs/recovery.md). Exit codes as for <c>once</c>.
/// </summary>
internal static class ReingestCommand
{
    public static Command Create()
    {
        var command = new Command(
            "reingest",
            "Accept a renumbered folder (new UIDVALIDITY) or new UIDLs and make the next run fetch the mailbox again, storing only messages " +
            "whose raw SHA-256 was not stored before: 0 all succeeded, 1 some mailbox failed, 2 configuration error.")
        {
            Options = { MailboxSelection.Option },
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        // Like adopt, it lifts the guard that protects the archive, so it never applies to "every mailbox" by default.
        if (parseResult.GetValue(MailboxSelection.Option) is not { Length: > 0 })
        {
            await Console.Error.WriteLineAsync("Usage error: reingest needs --mailbox NAME (repeat it for several); it accepts the server's new numbering for that mailbox.");
            return ExitCodes.ConfigurationError;
        }

        return await MailboxSelection.RunAsync(parseResult, async (app, selected) =>
        {
            var runner = app.Services.GetRequiredService<IMailboxRunner>();
            var results = new List<MailboxRunResult>(selected.Count);
            foreach (var mailbox in selected)
            {
                results.Add(await runner.ReingestAsync(mailbox, app.Options.Mailboxes[mailbox], cancellationToken));
            }

            return await RunReport.WriteAsync(results);
        });
    }
}
