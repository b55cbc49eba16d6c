using MailIngest.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace MailIngest.Host.Hosting;

/// <summary>
/// Exports the MailIngest meter over OTLP when a collector is configured (docs/operations.md, Telemetry). Without one,
/// nothing is exported and nothing is paid for beyond the counters themselves.
/// </summary>
internal static class Telemetry
{
    private const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static void AddMailIngestTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMailIngestSection<TelemetryOptions>(TelemetryOptions.SectionName);
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (string.IsNullOrWhiteSpace(options.OtlpEndpoint) && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OtlpEndpointVariable)))
        {
            return;
        }

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(IngestTelemetry.MeterName)
                .AddOtlpExporter(exporter => Configure(exporter, options, "v1/metrics")));
    }

    /// <summary>Creates the exporter now: the verbs other than <c>run</c> never start the host that would.</summary>
    /// <remarks>Disposing the host flushes them, so even a short <c>mailingest once</c> delivers its metrics.</remarks>
    public static void Activate(IServiceProvider services) => _ = services.GetService<MeterProvider>();

    /// <remarks><paramref name="signalPath"/>: the OTLP/HTTP exporter needs the signal's path spelled out when its endpoint is set in code.</remarks>
    private static void Configure(OtlpExporterOptions exporter, TelemetryOptions options, string signalPath)
    {
        exporter.Protocol = options.OtlpProtocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint))
        {
            var endpoint = options.OtlpEndpoint.TrimEnd('/');
            exporter.Endpoint = new Uri(exporter.Protocol == OtlpExportProtocol.Grpc ? endpoint : $"{endpoint}/{signalPath}");
        }
    }
}
