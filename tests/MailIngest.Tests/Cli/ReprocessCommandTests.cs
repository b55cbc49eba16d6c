using MailIngest.Host.Cli;

namespace MailIngest.Tests.Cli;

/// <summary><c>mailingest reprocess</c>: its options are checked before anything is read, and each mailbox ends with a summary line.</summary>
[Collection(CliRun.Collection)]
public sealed class ReprocessCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailingest-cli-" + Guid.NewGuid().ToString("N"));

    public ReprocessCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(int ExitCode, string Stdout, string Stderr)> ReprocessAsync(params string[] options)
    {
        var config = Path.Combine(_folder, "settings.json");
        var data = Path.Combine(_folder, "data").Replace("\\", "\\\\", StringComparison.Ordinal);
        await File.WriteAllTextAsync(config, $$"""
            { "MailIngest": { "Storage": { "Path": "{{data}}" },
                              "Mailboxes": { "support": { "Host": "h", "Username": "u" }, "sales": { "Host": "h", "Username": "u" } } } }
            """);
        return await CliRun.InvokeAsync(["reprocess", "--config", config, .. options]);
    }

    [Theory]
    [InlineData("--quarantine --since 2026-01-01", "--since and --until select stored messages by their date folder")]
    [InlineData("--until 2026-1-5", "--until takes a day as YYYY-MM-DD")]
    [InlineData("--since 2026-02-01 --until 2026-01-31", "--since 2026-02-01 is after --until 2026-01-31")]
    [InlineData("--mailbox marketing", "no mailbox named marketing")]
    public async Task Reprocess_UsageError_ExitsTwoSayingWhatIsWrong(string options, string expected)
    {
        var (exitCode, stdout, stderr) = await ReprocessAsync(options.Split(' '));

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Reprocess_ArchiveWithNothingStored_ExitsZeroWithOneSummaryLinePerSelectedMailbox()
    {
        var (exitCode, stdout, stderr) = await ReprocessAsync("--mailbox", "sales", "--since", "2026-01-01", "--key", "k1", "--key", "k2");

        Assert.True(exitCode == ExitCodes.Success, stderr);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("sales: ok, examined 0, rewritten 0, restored 0, unchanged 0, from quarantine 0, still failing 0, ", line, StringComparison.Ordinal);
    }
}
