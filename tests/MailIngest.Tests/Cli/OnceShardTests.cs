using MailIngest.Host.Cli;

namespace MailIngest.Tests.Cli;

/// <summary><c>mailingest once --shard INDEX/COUNT</c>: which mailboxes a run takes, and how a bad value is refused.</summary>
[Collection(CliRun.Collection)]
public sealed class OnceShardTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailingest-shard-" + Guid.NewGuid().ToString("N"));
    private readonly string _config;

    public OnceShardTests()
    {
        Directory.CreateDirectory(_folder);
        _config = Path.Combine(_folder, "settings.json");

        // Port 9 on loopback refuses at once and nothing reconnects, so each selected mailbox fails fast and prints its summary.
        var mailboxes = string.Join(", ", ShardTests.Mailboxes.Select(name =>
            $$"""
            "{{name}}": { "Host": "127.0.0.1", "Port": 9, "Security": "None", "Username": "u", "RetryAttempts": 0 }
            """));
        var storage = Path.Combine(_folder, "data").Replace("\\", "/", StringComparison.Ordinal);
        File.WriteAllText(_config, $$"""{ "MailIngest": { "Storage": { "Path": "{{storage}}" }, "Mailboxes": { {{mailboxes}} } } }""");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string[] SummaryMailboxes(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line[..line.IndexOf(':', StringComparison.Ordinal)])];

    [Fact]
    public async Task Once_Shard_RunsOnlyTheMailboxesOnThatShard()
    {
        var (_, stdout, _) = await CliRun.InvokeAsync("once", "--config", _config, "--shard", "1/3");

        Assert.Equal(["hr", "info"], SummaryMailboxes(stdout));
    }

    [Fact]
    public async Task Once_ShardWithMailbox_RunsTheNamedMailboxesOnThatShard()
    {
        var (_, stdout, _) = await CliRun.InvokeAsync("once", "--config", _config, "--shard", "1/3", "--mailbox", "hr", "--mailbox", "support");

        Assert.Equal(["hr"], SummaryMailboxes(stdout));
    }

    [Fact]
    public async Task Once_ShardOwningNoneOfTheNamedMailboxes_ExitsZeroWithoutRunning()
    {
        var (exitCode, stdout, _) = await CliRun.InvokeAsync("once", "--config", _config, "--shard", "2/3", "--mailbox", "hr");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Once_ShardWithUnknownMailbox_ExitsTwo()
    {
        var (exitCode, _, stderr) = await CliRun.InvokeAsync("once", "--config", _config, "--shard", "0/3", "--mailbox", "nobody");

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("no mailbox named nobody", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3/3")]
    [InlineData("1of3")]
    public async Task Once_InvalidShard_ExitsTwoBeforeReadingTheConfiguration(string shard)
    {
        var (exitCode, stdout, stderr) = await CliRun.InvokeAsync("once", "--config", Path.Combine(_folder, "absent.json"), "--shard", shard);

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("--shard", stderr, StringComparison.Ordinal);
        Assert.Contains(shard, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("absent.json", stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
    }
}
