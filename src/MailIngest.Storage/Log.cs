using Microsoft.Extensions.Logging;

namespace MailIngest.Storage;

/// <summary>Every log line the storage providers write, by source generator: stable event IDs, no secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Created the blob container {Container}")]
    public static partial void ContainerCreated(ILogger logger, string container);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "May not read the properties of {Container} ({ErrorCode}); assuming it exists")]
    public static partial void ContainerNotReadable(ILogger logger, string container, string? errorCode);

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "{Mailbox}: took the lease on {Blob} for {Duration}")]
    public static partial void LeaseTaken(ILogger logger, string mailbox, string blob, TimeSpan duration);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "{Mailbox}: another worker holds the lease on {Blob}; it ends at most {Duration} after that worker stops renewing it")]
    public static partial void LeaseHeld(ILogger logger, string mailbox, string blob, TimeSpan duration);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "{Mailbox}: could not renew the lease on {Blob}: {Error}")]
    public static partial void LeaseRenewalFailed(ILogger logger, string mailbox, string blob, string error);

    [LoggerMessage(EventId = 306, Level = LogLevel.Error, Message = "{Mailbox}: lost the lease on {Blob}: {Reason}; the run stops before its next ledger write or deletion")]
    public static partial void LeaseLost(ILogger logger, string mailbox, string blob, string reason);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "{Mailbox}: could not release the lease on {Blob} (it ends by itself within {Duration}): {Error}")]
    public static partial void LeaseReleaseFailed(ILogger logger, string mailbox, string blob, TimeSpan duration, string error);
}
