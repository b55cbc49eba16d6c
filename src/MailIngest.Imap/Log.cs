using Microsoft.Extensions.Logging;

namespace MailIngest.Imap;

/// <summary>Every log line the IMAP adapter writes, by source generator; never a password.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Debug, Message = "{Mailbox}: connected to {Endpoint}; capabilities {Capabilities}; SASL {Mechanisms}")]
    public static partial void Connected(ILogger logger, string mailbox, string endpoint, MailKit.Net.Imap.ImapCapabilities capabilities, IEnumerable<string> mechanisms);

    [LoggerMessage(EventId = 701, Level = LogLevel.Debug, Message = "{Mailbox}: logging in with {Mechanism}")]
    public static partial void Authenticating(ILogger logger, string mailbox, string mechanism);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "{Mailbox}: Security is None, so the password and all mail cross the network to {Endpoint} unencrypted")]
    public static partial void PlaintextToRemoteHost(ILogger logger, string mailbox, string endpoint);

    [LoggerMessage(EventId = 703, Level = LogLevel.Information, Message = "{Mailbox}: watching {Folder} with IDLE for new mail")]
    public static partial void Watching(ILogger logger, string mailbox, string folder);

    [LoggerMessage(EventId = 704, Level = LogLevel.Warning, Message = "{Mailbox}: the IDLE connection to {Folder} was interrupted ({Error}); connecting again in {Wait}")]
    public static partial void WatchInterrupted(ILogger logger, string mailbox, string folder, string error, TimeSpan wait);

    [LoggerMessage(EventId = 705, Level = LogLevel.Error, Message = "{Mailbox}: stopped watching {Folder} with IDLE ({Error}); the mailbox is polled on its Schedule only")]
    public static partial void WatchEnded(ILogger logger, string mailbox, string folder, string error);

    [LoggerMessage(EventId = 706, Level = LogLevel.Warning, Message = "{Mailbox}: Idle is set, but the server does not offer IDLE, so {Folder} is polled on the mailbox's Schedule only")]
    public static partial void NoIdle(ILogger logger, string mailbox, string folder);

    [LoggerMessage(EventId = 707, Level = LogLevel.Warning, Message = "{Mailbox}: new mail was announced, but no run could be started for it ({Error}); the Schedule will run it")]
    public static partial void RunNotAskedFor(ILogger logger, string mailbox, string error);
}
