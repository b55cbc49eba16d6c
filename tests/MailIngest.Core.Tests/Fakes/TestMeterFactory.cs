using System.Diagnostics.Metrics;

namespace MailIngest.Core.Tests.Fakes;

/// <summary>Meters for a test, disposed with it.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        // Scoped to this factory, so a listener can tell these meters from those of tests running beside it.
        options.Scope = this;
        var meter = new Meter(options);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose() => _meters.ForEach(m => m.Dispose());
}
