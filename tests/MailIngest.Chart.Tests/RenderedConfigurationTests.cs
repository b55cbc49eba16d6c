using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.Chart.Tests;

/// <summary>The appsettings.json the chart renders is a configuration the real mailingest accepts.</summary>
public sealed class RenderedConfigurationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailingest-chart-" + Guid.NewGuid().ToString("N"));

    public RenderedConfigurationTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Once_RenderedConfigMap_PassesValidationAndRunsEveryMailbox()
    {
        var config = Path.Combine(_folder, "appsettings.json");
        await File.WriteAllTextAsync(config, Helm.Render("ci/cronjob-values.yaml").AppSettings().ToJsonString());

        // What the pod gets from its environment and volumes, pointed at this machine: the archive in a temporary folder,
        // each mailbox at a loopback port that refuses at once, without reconnects, so every run fails fast after the
        // configuration passed.
        var environment = new Dictionary<string, string>
        {
            ["MailIngest__Storage__Path"] = Path.Combine(_folder, "data"),
            ["MailIngest__TempPath"] = _folder,
        };
        foreach (var mailbox in new[] { "support", "sales", "billing" })
        {
            environment[$"MailIngest__Mailboxes__{mailbox}__Host"] = "127.0.0.1";
            environment[$"MailIngest__Mailboxes__{mailbox}__Port"] = "9";
            environment[$"MailIngest__Mailboxes__{mailbox}__Security"] = "None";
            environment[$"MailIngest__Mailboxes__{mailbox}__Password"] = "from-the-secret";
            environment[$"MailIngest__Mailboxes__{mailbox}__RetryAttempts"] = "0";
        }

        var run = await MailIngestProcess.RunAsync(_folder, environment, "once", "--config", config);

        Assert.DoesNotContain("Configuration error", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["billing", "sales", "support"], run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':')[0]).Order());
    }
}
