using System.CommandLine;
using MailIngest.Configuration;
using MailIngest.Host.Hosting;

namespace MailIngest.Host.Cli;

/// <summary>The <c>--mailbox NAME</c> option every per-mailbox verb takes, and its check against the configuration.</summary>
internal static class MailboxSelection
{
    public static readonly Option<string[]> Option = new("--mailbox")
    {
        Description = "Only this mailbox (repeat the option for several); default: every configured mailbox.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>The <c>--json</c> option of the verbs that report on mailboxes.</summary>
    public static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Write one JSON document (an array, one object per mailbox) instead of the table.",
    };

    /// <summary>
    /// What every per-mailbox verb does first: start the application and resolve <c>--mailbox</c>, both of which exit 2
    /// on a configuration problem; then <paramref name="verb"/> does the verb's work.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parseResult, Func<MailIngestApp, IReadOnlyList<string>, Task<int>> verb)
    {
        ArgumentNullException.ThrowIfNull(verb);
        if (!MailIngestApp.TryStart(MailIngestCli.LoadSettings(parseResult), out var app))
        {
            return ExitCodes.ConfigurationError;
        }

        await using (app)
        {
            return Resolve(parseResult, app.Options) is { } selected ? await verb(app, selected) : ExitCodes.ConfigurationError;
        }
    }

    /// <summary>The selected mailboxes in configuration order, or null after telling standard error which names are unknown.</summary>
    private static IReadOnlyList<string>? Resolve(ParseResult parseResult, MailIngestOptions options)
    {
        var configured = options.Mailboxes.Keys;
        if (parseResult.GetValue(Option) is not { Length: > 0 } names)
        {
            return [.. configured];
        }

        var unknown = names.Where(name => !options.Mailboxes.ContainsKey(name)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine(
                $"Configuration error: no mailbox named {string.Join(", ", unknown)} in {MailIngestOptions.SectionName}:Mailboxes " +
                $"(configured: {string.Join(", ", configured)}).");
            return null;
        }

        return [.. configured.Where(names.Contains)];
    }
}
