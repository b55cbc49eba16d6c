using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MailIngest.Events;
using MailIngest.Ledger;
using MailIngest.Telemetry;

namespace MailIngest.Ingestion;

/// <summary>
/// The <c>MailIngest</c> meter: what every mailbox run stored, deleted and left behind, for dashboards and alerts.
/// Instrument names are a contract with those dashboards, listed in docs/operations.md.
/// </summary>
internal sealed class IngestMetrics
{
    private readonly TimeProvider _time;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _deleted;
    private readonly Counter<long> _runs;
    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<string, Backlog> _backlogs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<EntryState, int>> _held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, EventDeliveryReport> _outboxes = new(StringComparer.Ordinal);

    public IngestMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _time = time;
        var meter = meterFactory.Create(IngestTelemetry.MeterName);
        _messages = meter.CreateCounter<long>(
            "mailingest.messages", "{message}", "Messages handled, by mailbox and result (stored, quarantined, skipped over MaxMessageSize, or unprocessable).");
        _bytes = meter.CreateCounter<long>("mailingest.bytes", "By", "Raw message bytes stored, by mailbox.");
        _deleted = meter.CreateCounter<long>("mailingest.deleted", "{message}", "Messages deleted from the server after they were stored, by mailbox.");
        _runs = meter.CreateCounter<long>("mailingest.runs", "{run}", "Mailbox runs, by mailbox and status (succeeded, failed, skipped).");
        _duration = meter.CreateHistogram<double>("mailingest.run.duration", "s", "Wall time of one mailbox run, by mailbox and status.");
        meter.CreateObservableGauge("mailingest.backlog", ObserveBacklog, "{message}", "New messages the last run of each mailbox left for later runs.");
        meter.CreateObservableGauge("mailingest.backlog.age", ObserveBacklogAge, "s",
            "How long each mailbox has had new mail waiting: the lag of its oldest unfetched message, as seen from the runs; 0 when none waits.");
        meter.CreateObservableGauge("mailingest.held", ObserveHeld, "{message}",
            "Messages each mailbox's ledger holds back, by state: skipped (over MaxMessageSize), unprocessable (out of attempts), retrying; as of its last run.");
        meter.CreateObservableGauge("mailingest.events.pending", ObserveEventsPending, "{event}",
            "Events waiting in each mailbox's outbox to be delivered, as of its last delivery (docs/events.md).");
        meter.CreateObservableGauge("mailingest.events.oldest.age", ObserveOldestEventAge, "s",
            "How long the oldest event waiting in each mailbox's outbox has waited; 0 when none waits.");
    }

    public void RunFinished(MailboxRunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var mailbox = new KeyValuePair<string, object?>("mailbox", result.Mailbox);
        var status = new KeyValuePair<string, object?>("status", result.Status.ToString().ToLowerInvariant());
        _runs.Add(1, mailbox, status);
        _duration.Record(result.Duration.TotalSeconds, mailbox, status);
        _messages.Add(result.Stored, mailbox, new("result", "stored"));
        _messages.Add(result.Quarantined, mailbox, new("result", "quarantined"));
        _messages.Add(result.Skipped, mailbox, new("result", "skipped"));
        _messages.Add(result.Unprocessable, mailbox, new("result", "unprocessable"));
        if (result.Held is { } held)
        {
            _held[result.Mailbox] = held;
        }
        if (result.Events is { } events)
        {
            OutboxObserved(result.Mailbox, events);
        }

        _bytes.Add(result.Bytes, mailbox);
        _deleted.Add(result.Deleted, mailbox);
        if (result.Status == MailboxRunStatus.Succeeded)
        {
            // A backlog's age counts from the first run that had to leave mail behind, and ends with the run that clears it.
            var now = _time.GetUtcNow() - result.Duration;
            _backlogs.AddOrUpdate(
                result.Mailbox,
                _ => new Backlog(result.Remaining, result.Remaining > 0 ? now : null),
                (_, old) => new Backlog(result.Remaining, result.Remaining > 0 ? old.Since ?? now : null));
        }
    }

    /// <summary>What a delivery left in a mailbox's outbox, for the events gauges.</summary>
    public void OutboxObserved(string mailbox, EventDeliveryReport report) => _outboxes[mailbox] = report;

    private IEnumerable<Measurement<long>> ObserveEventsPending() =>
        _outboxes.Select(o => new Measurement<long>(o.Value.Pending, new KeyValuePair<string, object?>("mailbox", o.Key)));

    private IEnumerable<Measurement<double>> ObserveOldestEventAge() =>
        _outboxes.Select(o => new Measurement<double>(
            o.Value.OldestPendingAt is { } oldest ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds) : 0,
            new KeyValuePair<string, object?>("mailbox", o.Key)));

    private IEnumerable<Measurement<long>> ObserveBacklog() =>
        _backlogs.Select(b => new Measurement<long>(b.Value.Count, new KeyValuePair<string, object?>("mailbox", b.Key)));

    private IEnumerable<Measurement<double>> ObserveBacklogAge() =>
        _backlogs.Select(b => new Measurement<double>(
            b.Value.Since is { } since ? (_time.GetUtcNow() - since).TotalSeconds : 0,
            new KeyValuePair<string, object?>("mailbox", b.Key)));

    private IEnumerable<Measurement<long>> ObserveHeld() =>
        from mailbox in _held
        from state in (EntryState[])[EntryState.Skipped, EntryState.Failed, EntryState.Retrying]
        select new Measurement<long>(
            mailbox.Value.GetValueOrDefault(state),
            new KeyValuePair<string, object?>("mailbox", mailbox.Key),
            new KeyValuePair<string, object?>("state", state == EntryState.Failed ? "unprocessable" : state.ToString().ToLowerInvariant()));

    private sealed record Backlog(int Count, DateTimeOffset? Since);
}
