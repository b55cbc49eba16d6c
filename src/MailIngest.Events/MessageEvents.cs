using System.Collections.Concurrent;
using System.Text;
using MailIngest.Archive;
using Microsoft.Extensions.Logging;

namespace MailIngest.Events;

/// <summary>
/// The event port with a sink: events are made as CloudEvents structured JSON, kept in the ledger until delivered, and
/// sent after the session, so that a sink that is down never holds up or fails a run (docs/events.md).
/// </summary>
internal sealed class MessageEvents(
    IMailArchive archive, IEventSink sink, EventsOptions options, IIngestObserver observer, TimeProvider time, ILogger<MessageEvents> logger)
    : IMessageEvents, IDisposable
{
    /// <summary>Events sent at once: a sink's round trip, not its work, is what one delivery mostly waits for.</summary>
    private const int Parallelism = 8;

    public bool Enabled => true;

    public PendingEvent Prepare(MessageEventFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return new PendingEvent(facts.Id, facts.Type, facts.Time, Encoding.UTF8.GetString(CloudEventFormat.Encode(facts, archive.Location)));
    }

    public async Task<DeliveryOutcome> DeliverAsync(string mailbox, IReadOnlyList<PendingEvent> pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var started = time.GetTimestamp();
        var delivered = new ConcurrentQueue<string>();
        var dead = new ConcurrentQueue<DeadLetter>();
        string? error = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(string why)
        {
            Interlocked.CompareExchange(ref error, why, null);
            stop.Cancel();
        }

        try
        {
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stop.Token }, async (queued, _) =>
            {
                if (time.GetElapsedTime(started) >= options.DeliveryBudget)
                {
                    Stop($"the delivery budget of {options.DeliveryBudget} (MailIngest:Events:DeliveryBudget) ran out");
                    return;
                }

                // Once started, a delivery ends by its own timeout, not by a stop: its outcome must be recorded.
                var result = await DeliverOneAsync(mailbox, queued);
                switch (result.Status)
                {
                    case SendStatus.Delivered:
                        delivered.Enqueue(queued.Id);
                        break;
                    case SendStatus.Refused:
                        dead.Enqueue(new DeadLetter(queued.Id, queued.Type, queued.QueuedAt, time.GetUtcNow(), result.Reason!, queued.Body));
                        break;
                    default:
                        // The sink is down or overloaded: the events behind this one wait for the next delivery, in order.
                        Log.DeliveryFailed(logger, mailbox, queued.Id, result.Reason!);
                        Stop(result.Reason!);
                        break;
                }
            });
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped early (a failure, the budget, or the caller): what was delivered so far is recorded.
        }

        return new DeliveryOutcome([.. delivered], [.. dead], error ?? (cancellationToken.IsCancellationRequested ? "stopped" : null));
    }

    public void Dispose() => (sink as IDisposable)?.Dispose();

    private async Task<SendResult> DeliverOneAsync(string mailbox, PendingEvent queued)
    {
        observer.OnStep(mailbox, IngestStep.Delivering, queued.Id);
        using var timeout = new CancellationTokenSource(options.DeliveryTimeout);
        try
        {
            return await sink.SendAsync(queued.Id, queued.Body, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return SendResult.Failed($"no answer within {options.DeliveryTimeout} (MailIngest:Events:DeliveryTimeout)");
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            // The webhook's secret file could not be read: tried again later, like a sink that is down.
            return SendResult.Failed(e.Message);
        }
    }
}
