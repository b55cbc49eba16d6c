using Microsoft.Extensions.Logging;

namespace MailIngest.Events;

/// <summary>The events project's log lines, by source generator.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Warning, Message = "{Mailbox}: event {Id} was not delivered; it and the events behind it are tried again later: {Reason}")]
    public static partial void DeliveryFailed(ILogger logger, string mailbox, string id, string reason);
}
