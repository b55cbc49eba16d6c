using System.CommandLine;
using MailIngest.Host.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Cli;

/// <summary>The <c>mailingest</c> command line: global options and one subcommand per verb.</summary>
internal static class MailIngestCli
{
    public static readonly Option<FileInfo?> ConfigOption = new("--config")
    {
        Description = "The configuration file to use instead of ./appsettings.json (environment variables still override it).",
        Recursive = true,
    };

    public static readonly Option<LogFormat> LogFormatOption = new("--log-format")
    {
        Description = "How log lines are written to standard error: simple for people, json (one object a line) for clusters.",
        DefaultValueFactory = _ => LogFormat.Simple,
        Recursive = true,
    };

    public static readonly Option<FileInfo?> ProtocolLogOption = new("--protocol-log")
    {
        Description = "Append every POP3 and IMAP conversation to this file, for diagnosing a server; passwords and SASL exchanges are redacted, and messages appear as their size only (POP3 RETR and TOP, IMAP literals: contents are not written).",
        Recursive = true,
    };

    /// <summary>Runs the command line on <paramref name="args"/>; see <see cref="Create"/> for <paramref name="extraServices"/>.</summary>
    public static Task<int> InvokeAsync(string[] args, Action<IServiceCollection>? extraServices = null) =>
        // SIGTERM and Ctrl+C cancel the verb's token; a verb gets this long to stop cleanly before the process ends anyway.
        Create(extraServices).Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });

    /// <summary>
    /// The command line. <paramref name="extraServices"/> is registered last in every verb's application: the one way
    /// another host adds to <c>mailingest</c> (tests/MailIngest.TestHost adds its fault injection); <c>mailingest</c> passes none.
    /// </summary>
    public static RootCommand Create(Action<IServiceCollection>? extraServices = null)
    {
        var root = new MailIngestRootCommand(extraServices)
        {
            Options = { ConfigOption, LogFormatOption, ProtocolLogOption },
            Subcommands = { OnceCommand.Create(), RunCommand.Create(), CheckCommand.Create(), StatusCommand.Create(), PlanCommand.Create(), AdoptCommand.Create(), ReingestCommand.Create(), RetryCommand.Create(),
                ReprocessCommand.Create(), EventsCommand.Create() },
        };
        return root;
    }

    public static AppSettings LoadSettings(ParseResult parseResult) =>
        new(
            parseResult.GetValue(ConfigOption),
            parseResult.GetValue(LogFormatOption),
            parseResult.GetValue(ProtocolLogOption),
            (parseResult.RootCommandResult.Command as MailIngestRootCommand)?.ExtraServices);

    /// <summary>The root command, carrying the extra services to the verbs' <see cref="LoadSettings"/>.</summary>
    private sealed class MailIngestRootCommand(Action<IServiceCollection>? extraServices)
        : RootCommand("MailIngest: polls POP3 mailboxes and IMAP folders and stores new mail, its bodies, attachments and a manifest in blob storage.")
    {
        public Action<IServiceCollection>? ExtraServices { get; } = extraServices;
    }
}
