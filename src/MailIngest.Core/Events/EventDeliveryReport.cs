namespace MailIngest.Events;

/// <summary>What one delivery of a mailbox's outbox did, and what is left in it (for the run's summary, <c>status</c> and the metrics).</summary>
/// <param name="Delivered">Events delivered now.</param>
/// <param name="DeadLettered">Events the sink refused for good now.</param>
/// <param name="Pending">Events still waiting in the outbox.</param>
/// <param name="OldestPendingAt">When the oldest of them was queued; null when none waits.</param>
/// <param name="DeadLetters">Dead letters in the outbox, these included.</param>
/// <param name="Error">Why delivery stopped before the outbox was empty (the sink is down, the budget ran out), or null.</param>
public sealed record EventDeliveryReport(
    int Delivered, int DeadLettered, int Pending, DateTimeOffset? OldestPendingAt, int DeadLetters, string? Error)
{
    /// <summary>This delivery's report with what earlier deliveries of the same run delivered and dead-lettered added.</summary>
    public EventDeliveryReport After(int delivered, int deadLettered) =>
        this with { Delivered = Delivered + delivered, DeadLettered = DeadLettered + deadLettered };

    /// <summary>The line a run's summary ends with: <c>events delivered 12, pending 0</c>.</summary>
    public string Summary
    {
        get
        {
            var text = System.FormattableString.Invariant($"events delivered {Delivered}, pending {Pending}");
            if (DeadLettered > 0)
            {
                text += System.FormattableString.Invariant($", refused {DeadLettered}");
            }

            return Error is null ? text : $"{text} ({Error})";
        }
    }
}
