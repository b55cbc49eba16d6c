using System.Diagnostics.Metrics;
using MailIngest.Core.Tests.Fakes;
using MailIngest.Ingestion;
using MailIngest.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace MailIngest.Core.Tests.Ingestion;

public sealed class IngestMetricsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly TestMeterFactory _factory = new();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];
    private readonly IngestMetrics _metrics;

    public IngestMetricsTests()
    {
        _metrics = new IngestMetrics(_factory, _time);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == IngestTelemetry.MeterName && instrument.Meter.Scope == _factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _factory.Dispose();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Add((instrument.Name, value, new Dictionary<string, object?>(tags.ToArray())));

    private static MailboxRunResult Run(int stored, int remaining, MailboxRunStatus status = MailboxRunStatus.Succeeded) =>
        new("support", status)
        {
            New = stored + remaining,
            Stored = stored,
            Quarantined = 1,
            Deleted = stored,
            Remaining = remaining,
            Bytes = stored * 1000L,
            Duration = TimeSpan.FromSeconds(2),
        };

    private double Gauge(string name)
    {
        _measurements.Clear();
        _listener.RecordObservableInstruments();
        return _measurements.Single(m => m.Instrument == name).Value;
    }

    [Fact]
    public void RunFinished_SuccessfulRun_CountsMessagesBytesDeletionsAndTheRun()
    {
        _metrics.RunFinished(Run(stored: 3, remaining: 0));

        Assert.Contains(_measurements, m => m.Instrument == "mailingest.messages" && m.Value == 3 && (string?)m.Tags["result"] == "stored");
        Assert.Contains(_measurements, m => m.Instrument == "mailingest.messages" && m.Value == 1 && (string?)m.Tags["result"] == "quarantined");
        Assert.Contains(_measurements, m => m.Instrument == "mailingest.bytes" && m.Value == 3000);
        Assert.Contains(_measurements, m => m.Instrument == "mailingest.deleted" && m.Value == 3);
        Assert.Contains(_measurements, m => m.Instrument == "mailingest.runs" && (string?)m.Tags["status"] == "succeeded" && (string?)m.Tags["mailbox"] == "support");
        Assert.Contains(_measurements, m => m.Instrument == "mailingest.run.duration" && m.Value == 2);
    }

    [Fact]
    public void Backlog_GrowsOldUntilARunClearsIt()
    {
        _metrics.RunFinished(Run(stored: 10, remaining: 50));
        _time.Advance(TimeSpan.FromMinutes(5));
        _metrics.RunFinished(Run(stored: 10, remaining: 40));
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(40, Gauge("mailingest.backlog"));
        Assert.Equal(602, Gauge("mailingest.backlog.age"));

        _metrics.RunFinished(Run(stored: 40, remaining: 0));

        Assert.Equal(0, Gauge("mailingest.backlog"));
        Assert.Equal(0, Gauge("mailingest.backlog.age"));
    }

    [Fact]
    public void RunFinished_FailedRun_LeavesTheBacklogAsItWas()
    {
        _metrics.RunFinished(Run(stored: 1, remaining: 5));

        _metrics.RunFinished(Run(stored: 0, remaining: 0, MailboxRunStatus.Failed));

        Assert.Equal(5, Gauge("mailingest.backlog"));
    }
}
