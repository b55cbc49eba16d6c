namespace MailIngest.Telemetry;

/// <summary>The names MailIngest publishes its telemetry under, for an exporter to subscribe to (docs/operations.md, Telemetry).</summary>
public static class IngestTelemetry
{
    /// <summary>The meter of every mailbox run's counts; its instruments are listed in docs/operations.md.</summary>
    public const string MeterName = "MailIngest";
}
