using MailIngest.Host.Cli;

namespace MailIngest.Tests.Cli;

/// <summary><c>mailingest reingest</c> lifts the guard that protects the archive, so like <c>adopt</c> it needs a named mailbox.</summary>
[Collection(CliRun.Collection)]
public sealed class ReingestCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailingest-cli-" + Guid.NewGuid().ToString("N"));

    public ReingestCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(int ExitCode, string Stdout, string Stderr)> ReingestAsync(params string[] extra)
    {
        var config = Path.Combine(_folder, "settings.json");
        await File.WriteAllTextAsync(config, """{ "MailIngest": { "Storage": { "Path": "./data" }, "Mailboxes": { "support": { "Host": "h", "Username": "u" } } } }""");
        return await CliRun.InvokeAsync(["reingest", "--config", config, .. extra]);
    }

    [Fact]
    public async Task Reingest_WithoutMailbox_ExitsTwoAskingForOne()
    {
        var (exitCode, _, stderr) = await ReingestAsync();

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("reingest needs --mailbox NAME", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reingest_UnknownMailbox_ExitsTwoNamingIt()
    {
        var (exitCode, _, stderr) = await ReingestAsync("--mailbox", "sales");

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("no mailbox named sales", stderr, StringComparison.Ordinal);
    }
}
