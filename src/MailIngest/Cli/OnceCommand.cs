using System.CommandLine;
using MailIngest.Ingestion;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Cli;

/// <summary><c>mailingest once</c>: ingest each mailbox once and exit; what the Kubernetes CronJob runs.</summary>
internal static class OnceCommand
{
    private static readonly Option<string?> ShardOption = new("--shard")
    {
        Description = "Ingest only the selected mailboxes that fall on shard INDEX of COUNT (INDEX/COUNT, e.g. 0/3) by a stable hash of their names, " +
            "so COUNT workers share the mailboxes without overlap.",
    };

    public static Command Create()
    {
        var command = new Command("once", "Ingest each mailbox once and exit: 0 all succeeded, 1 some mailbox failed, 2 configuration error.")
        {
            Options = { MailboxSelection.Option, ShardOption },
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        Shard? shard = null;
        if (parseResult.GetValue(ShardOption) is { } shardText && (shard = Shard.TryParse(shardText, out var shardError)) is null)
        {
            await Console.Error.WriteLineAsync($"Usage error: {shardError}");
            return ExitCodes.ConfigurationError;
        }

        return await MailboxSelection.RunAsync(parseResult, async (app, selected) =>
        {
            var runner = app.Services.GetRequiredService<IMailboxRunner>();
            var mailboxes = selected.Where(mailbox => shard?.Owns(mailbox) ?? true).ToList();
            var results = new MailboxRunResult[mailboxes.Count];
            await Parallel.ForEachAsync(
                Enumerable.Range(0, mailboxes.Count),
                new ParallelOptions { MaxDegreeOfParallelism = app.Options.MaxConcurrentMailboxes },
                async (i, _) => results[i] = await runner.RunAsync(mailboxes[i], app.Options.Mailboxes[mailboxes[i]], cancellationToken));
            return await RunReport.WriteAsync(results);
        });
    }
}
