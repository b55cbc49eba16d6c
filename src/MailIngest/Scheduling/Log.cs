using Microsoft.Extensions.Logging;

namespace MailIngest.Host.Scheduling;

/// <summary>The scheduler's log lines, by source generator.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "{Mailbox}: scheduled run started")]
    public static partial void RunStarted(ILogger logger, string mailbox);

    [LoggerMessage(EventId = 504, Level = LogLevel.Information, Message = "Scheduled run ended: {Summary}")]
    public static partial void RunFinished(ILogger logger, string summary);

    [LoggerMessage(EventId = 505, Level = LogLevel.Warning, Message = "{Mailbox}: delivering the outbox's events failed; trying again later: {Error}")]
    public static partial void RedeliveryFailed(ILogger logger, string mailbox, string error);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "{Mailbox}: scheduled, but not in this process's configuration; skipped")]
    public static partial void UnknownMailbox(ILogger logger, string mailbox);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "{Mailbox}: new mail announced by IDLE; its run starts now (or right after the one in progress)")]
    public static partial void RunTriggered(ILogger logger, string mailbox);
}
