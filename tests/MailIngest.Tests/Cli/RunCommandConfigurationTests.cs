using MailIngest.Host.Cli;

namespace MailIngest.Tests.Cli;

/// <summary><c>mailingest run</c> refuses a bad scheduler configuration with exit code 2 before it schedules anything.</summary>
[Collection(CliRun.Collection)]
public sealed class RunCommandConfigurationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailingest-run-" + Guid.NewGuid().ToString("N"));

    public RunCommandConfigurationTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(int ExitCode, string Stderr)> RunAsync(string scheduler)
    {
        var config = Path.Combine(_folder, "settings.json");
        await File.WriteAllTextAsync(config, $$"""
            { "MailIngest": { "Storage": { "Path": "./data" }, "Scheduler": { {{scheduler}} },
              "Mailboxes": { "support": { "Host": "h", "Username": "u", "Security": "None" } } } }
            """);
        var (exitCode, _, stderr) = await CliRun.InvokeAsync("run", "--config", config);
        return (exitCode, stderr);
    }

    [Fact]
    public async Task Run_ClusteredWithoutConnectionString_ExitsTwoNamingTheKey()
    {
        var (exitCode, stderr) = await RunAsync(""" "Clustered": true """);

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("MailIngest:Scheduler:ConnectionString (or ConnectionStringFile) is required", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ConnectionStringFileMissing_ExitsTwoNamingTheFile()
    {
        var missing = Path.Combine(_folder, "no-such-secret");

        var (exitCode, stderr) = await RunAsync($$""" "Clustered": true, "ConnectionStringFile": "{{missing}}" """);

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains($"MailIngest:Scheduler:ConnectionStringFile: '{missing}' does not exist", stderr, StringComparison.Ordinal);
    }
}
