using System.Collections.Concurrent;
using MailIngest.Archive;
using Microsoft.Extensions.Logging;

namespace MailIngest.Events;

/// <summary>
/// The event port with a sink: events are written to the archive's outbox as CloudEvents structured JSON and sent from
/// there, so that a sink that is down never holds up or fails a run (docs/events.md).
/// </summary>
internal sealed class MessageEvents(
    IMailArchive archive, IEventSink sink, EventsOptions options, IIngestObserver observer, TimeProvider time, ILogger<MessageEvents> logger)
    : IMessageEvents, IDisposable
{
    /// <summary>Events sent at once: a sink's round trip, not its work, is what one delivery mostly waits for.</summary>
    private const int Parallelism = 8;

    /// <summary>The most bytes of events kept in memory between their queueing and their delivery.</summary>
    private const long MaxUnsentBytes = 8 * 1024 * 1024;

    /// <summary>
    /// Events this process queued and has not delivered yet, as written, so that delivering them after the run reads
    /// nothing back from the store (on Azure a request per event); others, and any beyond the cap, are read.
    /// </summary>
    private readonly ConcurrentDictionary<string, byte[]> _unsent = new(StringComparer.Ordinal);
    private long _unsentBytes;

    public bool Enabled => true;

    public async Task QueueAsync(MessageEventFacts facts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var body = CloudEventFormat.Encode(facts, archive.Location);
        await archive.WriteAsync(
            OutboxLayout.EventPath(facts.Mailbox, facts.Id),
            new ArchiveObjectInfo(OutboxLayout.ContentType, ArchiveObjectKind.Event, facts.Mailbox) { Uidl = facts.Uidl },
            (stream, ct) => stream.WriteAsync(body, ct).AsTask(),
            WriteCondition.None,
            cancellationToken);
        Keep(OutboxLayout.EventPath(facts.Mailbox, facts.Id), body);
        observer.OnStep(facts.Mailbox, IngestStep.EventQueued, facts.Uidl);
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
                        dead.Enqueue(new DeadLetter(queued.Id, queued.Type, queued.QueuedAt, time.GetUtcNow(), result.Reason!));
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

    private void Keep(string path, byte[] body)
    {
        if (Interlocked.Add(ref _unsentBytes, body.Length) > MaxUnsentBytes)
        {
            Interlocked.Add(ref _unsentBytes, -body.Length);
            _unsent.TryRemove(path, out _);
            return;
        }

        _unsent.AddOrUpdate(path, body, (_, replaced) =>
        {
            Interlocked.Add(ref _unsentBytes, -replaced.Length);
            return body;
        });
    }

    /// <summary>The event as this process queued it, once: a later delivery (a dead letter re-sent) reads the store.</summary>
    private ReadOnlyMemory<byte>? Take(string path)
    {
        if (!_unsent.TryRemove(path, out var body))
        {
            return null;
        }

        Interlocked.Add(ref _unsentBytes, -body.Length);
        return body;
    }

    private async Task<SendResult> DeliverOneAsync(string mailbox, PendingEvent queued)
    {
        var path = OutboxLayout.EventPath(mailbox, queued.Id);
        observer.OnStep(mailbox, IngestStep.Delivering, queued.Id);
        try
        {
            var body = Take(path) ?? (await archive.ReadAsync(path, CancellationToken.None))?.Content;
            if (body is null)
            {
                // An event leaves the outbox only once sent: a delivery that died before its ledger record sent this one.
                return SendResult.Delivered;
            }

            using var timeout = new CancellationTokenSource(options.DeliveryTimeout);
            SendResult result;
            try
            {
                result = await sink.SendAsync(queued.Id, body.Value, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                result = SendResult.Failed($"no answer within {options.DeliveryTimeout} (MailIngest:Events:DeliveryTimeout)");
            }

            if (result.Status == SendStatus.Delivered)
            {
                await archive.DeleteAsync(path, CancellationToken.None);
            }

            return result;
        }
        catch (Exception e) when (e is ArchiveUnavailableException or IOException or FormatException or UnauthorizedAccessException)
        {
            // The store, or the webhook's secret file, could not be read: tried again later, like a sink that is down.
            return SendResult.Failed(e.Message);
        }
    }
}
