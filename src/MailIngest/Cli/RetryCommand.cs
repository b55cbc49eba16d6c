using System.CommandLine;
using MailIngest.Ingestion;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Cli;

/// <summary>
/// <c>mailingest retry --mailbox NAME [ID...]</c>: clear the records of messages held back (skipped over MaxMessageSize,
/// unprocessable after MaxAttempts, being retried), so that the next run fetches them again; after raising a limit or
/// the pod's memory. Connects to no server.
/// </summary>
internal static class RetryCommand
{
    private static readonly Argument<string[]> IdsArgument = new("ID")
    {
        Description = "The IDs (POP3 UIDLs, IMAP {uidvalidity}:{uid}@{folder}) to retry, as status and quarantine/*/error.json show them; default: every message held back.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Command Create()
    {
        var command = new Command(
            "retry",
            "Let the next run fetch again the messages held back (skipped, unprocessable, retrying): 0 cleared, 1 some mailbox could not be, 2 configuration error.")
        {
            Options = { MailboxSelection.Option },
            Arguments = { IdsArgument },
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var ids = parseResult.GetValue(IdsArgument) ?? [];
        var mailboxes = parseResult.GetValue(MailboxSelection.Option) ?? [];
        // IDs belong to one mailbox; clearing every mailbox's records is never the default.
        if (mailboxes.Length != 1)
        {
            await Console.Error.WriteLineAsync("Usage error: retry needs exactly one --mailbox NAME (its IDs belong to that mailbox).");
            return ExitCodes.ConfigurationError;
        }

        return await MailboxSelection.RunAsync(parseResult, async (app, selected) =>
        {
            var result = await app.Services.GetRequiredService<IMailboxRunner>().RetryAsync(selected[0], ids, cancellationToken);
            if (result.Error is not null)
            {
                await Console.Out.WriteLineAsync($"{result.Mailbox}: FAILED: {result.Error}");
                return ExitCodes.MailboxFailed;
            }

            await Console.Out.WriteLineAsync(result.Cleared.Count == 0
                ? $"{result.Mailbox}: nothing is held back; nothing to retry"
                : $"{result.Mailbox}: cleared {result.Cleared.Count} ({string.Join(", ", result.Cleared.Take(10))}{(result.Cleared.Count > 10 ? ", ..." : "")}); the next run fetches them again");
            return ExitCodes.Success;
        });
    }
}
