using System.Collections.Concurrent;
using MailIngest.Events;
using MailIngest.Ingestion;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailIngest.Host.Scheduling;

/// <summary>
/// <c>mailingest run</c>'s delivery between scheduled runs (docs/events.md): every scheduled run delivers its mailbox's
/// outbox when it ends; a mailbox whose run left events pending (a sink that was down) is tried again every
/// <c>RedeliveryInterval</c> until its outbox is empty, under the mailbox's lock (skipped while a run holds it).
/// </summary>
internal sealed class EventRedelivery(IEventOutbox outbox, IOptions<EventsOptions> options, TimeProvider time, ILogger<EventRedelivery> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<string, bool> _pending = new(StringComparer.Ordinal);

    /// <summary>Notes what a run left in its mailbox's outbox.</summary>
    public void Noted(MailboxRunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Events is { } events)
        {
            Note(result.Mailbox, events);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RedeliveryInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var mailbox in _pending.Keys)
            {
                try
                {
                    if (await outbox.DeliverAsync(mailbox, stoppingToken) is { } report)
                    {
                        Note(mailbox, report);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The store is down, or the lock was lost: the next tick, or the next run, tries again.
                    Log.RedeliveryFailed(logger, mailbox, e.Message);
                }
            }
        }
    }

    private void Note(string mailbox, EventDeliveryReport report)
    {
        if (report.Pending > 0)
        {
            _pending[mailbox] = true;
        }
        else
        {
            _pending.TryRemove(mailbox, out _);
        }
    }
}
