namespace MailIngest.Host.Hosting;

/// <summary>The <c>MailIngest:Telemetry</c> section: where metrics go.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "MailIngest:Telemetry";

    /// <summary>An OTLP collector (e.g. <c>http://otel-collector:4318</c>); empty means no export unless <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary>OTLP over <c>HttpProtobuf</c> (port 4318) or <c>Grpc</c> (port 4317).</summary>
    public OtlpProtocol OtlpProtocol { get; set; } = OtlpProtocol.HttpProtobuf;
}

public enum OtlpProtocol
{
    HttpProtobuf,
    Grpc,
}
