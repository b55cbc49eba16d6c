using System.CommandLine;
using MailIngest.Configuration;

namespace MailIngest.Host.Cli;

/// <summary>The <c>--mailbox NAME</c> option every per-mailbox verb takes, and its check against the configuration.</summary>
internal static class MailboxSelection
{
    public static readonly Option<string[]> Option = new("--mailbox")
    {
        Description = "Only this mailbox (repeat the option for several); default: every configured mailbox.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>The selected mailboxes in configuration order, or null after telling standard error which names are unknown.</summary>
    public static IReadOnlyList<string>? Resolve(ParseResult parseResult, MailIngestOptions options)
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
