using Microsoft.Extensions.Logging;

namespace MailIngest;

/// <summary>The core's log lines about events (docs/events.md).</summary>
internal static partial class Log
{
    // Debug: a run delivers in batches as it goes, and its summary line has the total.
    [LoggerMessage(EventId = 150, Level = LogLevel.Debug, Message = "{Mailbox}: delivered {Count} events")]
    public static partial void EventsDelivered(ILogger logger, string mailbox, int count);

    [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "{Mailbox}: {Pending} events stay in the outbox for a later delivery: {Error}")]
    public static partial void EventsPending(ILogger logger, string mailbox, int pending, string error);

    [LoggerMessage(EventId = 152, Level = LogLevel.Error, Message = "{Mailbox}: the sink refused event {Id} for good; it is kept as a dead letter, and 'mailingest events resend' sends it again: {Reason}")]
    public static partial void EventDeadLettered(ILogger logger, string mailbox, string id, string reason);

    [LoggerMessage(EventId = 153, Level = LogLevel.Information, Message = "{Mailbox}: another worker holds the mailbox lock; its events are delivered by that worker")]
    public static partial void OutboxLocked(ILogger logger, string mailbox);
}
