namespace MailIngest.Events;

/// <summary>Where events go: an Azure queue or a webhook. One event a call; the caller bounds the call's time.</summary>
internal interface IEventSink
{
    /// <summary>Sends one event: <paramref name="body"/> is its structured JSON, as the ledger's outbox keeps it.</summary>
    Task<SendResult> SendAsync(string id, string body, CancellationToken cancellationToken);
}

/// <summary>What the sink made of one event.</summary>
internal enum SendStatus
{
    /// <summary>Taken: the event leaves the outbox.</summary>
    Delivered,

    /// <summary>Refused for good (a webhook's 4xx other than 408 and 429): a dead letter.</summary>
    Refused,

    /// <summary>Not taken this time (down, slow, overloaded): tried again later.</summary>
    Failed,
}

/// <param name="Status">What the sink made of the event.</param>
/// <param name="Reason">The sink's answer, for the log and the dead letter; null when delivered.</param>
internal sealed record SendResult(SendStatus Status, string? Reason)
{
    public static SendResult Delivered { get; } = new(SendStatus.Delivered, null);

    public static SendResult Refused(string reason) => new(SendStatus.Refused, reason);

    public static SendResult Failed(string reason) => new(SendStatus.Failed, reason);
}
