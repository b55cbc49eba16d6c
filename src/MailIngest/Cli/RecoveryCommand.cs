using System.CommandLine;
using MailIngest.Configuration;
using MailIngest.Ingestion;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Cli;

/// <summary>
/// The shape of <c>adopt</c> and <c>reingest</c>: a session per named mailbox that changes what the ledger holds of the
/// server, reported like <c>once</c>. Both lift a guard that protects the archive, so neither applies to "every mailbox"
/// by default: each needs <c>--mailbox NAME</c>.
/// </summary>
internal static class RecoveryCommand
{
    public delegate Task<MailboxRunResult> Recovery(IMailboxRunner runner, string mailbox, MailboxOptions options, CancellationToken cancellationToken);

    /// <param name="name">The verb.</param>
    /// <param name="description">What it does, then the exit codes.</param>
    /// <param name="what">What it does to the named mailbox, for the usage error.</param>
    /// <param name="recovery">The runner's call for one mailbox.</param>
    public static Command Create(string name, string description, string what, Recovery recovery)
    {
        var command = new Command(name, description) { Options = { MailboxSelection.Option } };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (parseResult.GetValue(MailboxSelection.Option) is not { Length: > 0 })
            {
                await Console.Error.WriteLineAsync($"Usage error: {name} needs --mailbox NAME (repeat it for several); {what}.");
                return ExitCodes.ConfigurationError;
            }

            return await MailboxSelection.RunAsync(parseResult, async (app, selected) =>
            {
                var runner = app.Services.GetRequiredService<IMailboxRunner>();
                var results = new List<MailboxRunResult>(selected.Count);
                foreach (var mailbox in selected)
                {
                    results.Add(await recovery(runner, mailbox, app.Options.Mailboxes[mailbox], cancellationToken));
                }

                return await RunReport.WriteAsync(results);
            });
        });
        return command;
    }
}
