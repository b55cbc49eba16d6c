using System.CommandLine;
using MailIngest.Configuration;
using MailIngest.Host.Hosting;
using MailIngest.Ingestion;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Cli;

/// <summary><c>mailingest once</c>: ingest each mailbox once and exit; what the Kubernetes CronJob runs.</summary>
internal static class OnceCommand
{
    private static readonly Option<string[]> MailboxOption = new("--mailbox")
    {
        Description = "Ingest only this mailbox (repeat the option for several); default: every configured mailbox.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string?> ShardOption = new("--shard")
    {
        Description = "Ingest only the selected mailboxes that fall on shard INDEX of COUNT (INDEX/COUNT, e.g. 0/3) by a stable hash of their names, " +
            "so COUNT workers share the mailboxes without overlap.",
    };

    public static Command Create()
    {
        var command = new Command("once", "Ingest each mailbox once and exit: 0 all succeeded, 1 some mailbox failed, 2 configuration error.")
        {
            Options = { MailboxOption, ShardOption },
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

        if (!MailIngestApp.TryStart(MailIngestCli.LoadSettings(parseResult), out var app))
        {
            return ExitCodes.ConfigurationError;
        }

        await using (app)
        {
            var mailboxes = app.Options.Mailboxes;
            var selected = parseResult.GetValue(MailboxOption) is { Length: > 0 } names ? names : [.. mailboxes.Keys];
            var unknown = selected.Where(name => !mailboxes.ContainsKey(name)).ToList();
            if (unknown.Count > 0)
            {
                await Console.Error.WriteLineAsync(
                    $"Configuration error: no mailbox named {string.Join(", ", unknown)} in {MailIngestOptions.SectionName}:Mailboxes " +
                    $"(configured: {string.Join(", ", mailboxes.Keys)}).");
                return ExitCodes.ConfigurationError;
            }

            if (shard is { } owner)
            {
                selected = [.. selected.Where(owner.Owns)];
            }

            var ingestor = app.Services.GetRequiredService<MailboxIngestor>();
            var results = new List<MailboxRunResult>(selected.Length);
            foreach (var mailbox in selected.Distinct())
            {
                results.Add(await ingestor.RunAsync(mailbox, mailboxes[mailbox], cancellationToken));
            }

            foreach (var result in results)
            {
                await Console.Out.WriteLineAsync(result.Summary);
            }

            return results.Any(r => r.Status == MailboxRunStatus.Failed) ? ExitCodes.MailboxFailed : ExitCodes.Success;
        }
    }
}
