using System.Text;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Operations;

/// <summary>Metrics leave the process over OTLP when a collector is configured, even from a short <c>once</c>.</summary>
public sealed class TelemetryTests() : MailboxTest("telemetry")
{
    [Fact]
    public async Task Once_WithOtlpEndpoint_ExportsMailIngestMetrics()
    {
        await using var collector = OtlpReceiver.Start();
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        Configure(ingest: new { Telemetry = new { OtlpEndpoint = collector.Endpoint } });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        var metrics = collector.Exports.Where(e => e.Path == "/v1/metrics").Select(e => Encoding.UTF8.GetString(e.Body)).ToList();
        Assert.NotEmpty(metrics);
        Assert.Contains(metrics, body => body.Contains("mailingest.messages", StringComparison.Ordinal));
        Assert.Contains(metrics, body => body.Contains("mailingest.run.duration", StringComparison.Ordinal));
        Assert.Contains(metrics, body => body.Contains("telemetry", StringComparison.Ordinal));
    }
}
