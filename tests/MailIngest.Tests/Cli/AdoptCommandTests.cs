using MailIngest.Host.Cli;

namespace MailIngest.Tests.Cli;

/// <summary><c>mailingest adopt</c> marks mail as seen for good, so it needs a named mailbox, and refuses bad settings like <c>once</c>.</summary>
[Collection(CliRun.Collection)]
public sealed class AdoptCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailingest-cli-" + Guid.NewGuid().ToString("N"));

    public AdoptCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(int ExitCode, string Stdout, string Stderr)> AdoptAsync(string settings, params string[] extra)
    {
        var config = Path.Combine(_folder, "settings.json");
        await File.WriteAllTextAsync(config, $$"""{ "MailIngest": { "Storage": { "Path": "./data" }, "Mailboxes": { "support": { {{settings}} } } } }""");
        return await CliRun.InvokeAsync(["adopt", "--config", config, .. extra]);
    }

    [Fact]
    public async Task Adopt_WithoutMailbox_ExitsTwoAskingForOne()
    {
        var (exitCode, _, stderr) = await AdoptAsync(""" "Host": "h", "Username": "u" """);

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("adopt needs --mailbox NAME", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adopt_UnknownMailbox_ExitsTwoNamingIt()
    {
        var (exitCode, _, stderr) = await AdoptAsync(""" "Host": "h", "Username": "u" """, "--mailbox", "sales");

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("no mailbox named sales", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adopt_BadRetrySetting_ExitsTwoNamingTheKey()
    {
        var (exitCode, _, stderr) = await AdoptAsync(""" "Host": "h", "Username": "u", "RetryAttempts": -1 """, "--mailbox", "support");

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("MailIngest:Mailboxes:support:RetryAttempts", stderr, StringComparison.Ordinal);
    }
}
