using System.CommandLine;
using MailIngest.Host.Hosting;

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
        Description = "Append every POP3 conversation to this file, for diagnosing a server; passwords and SASL exchanges are redacted, and messages appear as their size only (RETR and TOP contents are not written).",
        Recursive = true,
    };

    public static RootCommand Create()
    {
        var root = new RootCommand("MailIngest: polls POP3 mailboxes and stores new mail, its bodies, attachments and a manifest in blob storage.")
        {
            Options = { ConfigOption, LogFormatOption, ProtocolLogOption },
            Subcommands = { OnceCommand.Create(), RunCommand.Create(), CheckCommand.Create(), StatusCommand.Create(), PlanCommand.Create(), AdoptCommand.Create() },
        };
        return root;
    }

    public static AppSettings LoadSettings(ParseResult parseResult) =>
        new(parseResult.GetValue(ConfigOption), parseResult.GetValue(LogFormatOption), parseResult.GetValue(ProtocolLogOption));
}
