using MailIngest.Host.Cli;

namespace MailIngest.Tests.Cli;

/// <summary>A bad configuration stops <c>mailingest once</c> with exit code 2 and a message naming the key, before any connection.</summary>
[Collection(CliRun.Collection)]
public sealed class OnceCommandConfigurationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailingest-cli-" + Guid.NewGuid().ToString("N"));

    public OnceCommandConfigurationTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string json, params string[] extra)
    {
        var config = Path.Combine(_folder, "settings.json");
        await File.WriteAllTextAsync(config, json);
        return await CliRun.InvokeAsync(["once", "--config", config, .. extra]);
    }

    private static string Mailbox(string settings) =>
        $$"""{ "MailIngest": { "Storage": { "Path": "./data" }, "Mailboxes": { "support": { {{settings}} } } } }""";

    [Fact]
    public async Task Once_MissingHost_ExitsTwoNamingTheKey()
    {
        var (exitCode, _, stderr) = await RunAsync(Mailbox("""  "Username": "u" """));

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("MailIngest:Mailboxes:support:Host is required", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_UnknownSecurityName_ExitsTwoNamingTheKey()
    {
        var (exitCode, _, stderr) = await RunAsync(Mailbox(""" "Host": "h", "Username": "u", "Security": "Sometimes" """));

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("MailIngest:Mailboxes:support:Security", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_MisspeltMailboxKey_ExitsTwoNamingIt()
    {
        var (exitCode, _, stderr) = await RunAsync(Mailbox(""" "Hots": "h", "Username": "u" """));

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("'Hots'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_NoMailboxes_ExitsTwo()
    {
        var (exitCode, _, stderr) = await RunAsync("""{ "MailIngest": { } }""");

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("MailIngest:Mailboxes is empty", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_UnknownMailboxSelected_ExitsTwoListingTheConfiguredOnes()
    {
        var (exitCode, _, stderr) = await RunAsync(Mailbox(""" "Host": "h", "Username": "u" """), "--mailbox", "sales");

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("no mailbox named sales", stderr, StringComparison.Ordinal);
        Assert.Contains("configured: support", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_MalformedJson_ExitsTwo()
    {
        var (exitCode, _, stderr) = await RunAsync("{ \"MailIngest\": ");

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("Configuration error", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_MissingConfigFile_ExitsTwoNamingIt()
    {
        var missing = Path.Combine(_folder, "nowhere.json");

        var (exitCode, _, stderr) = await CliRun.InvokeAsync("once", "--config", missing);

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains(missing, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_AzureProviderWithoutCredentials_ExitsTwoNamingTheKeys()
    {
        var (exitCode, _, stderr) = await RunAsync(
            """{ "MailIngest": { "Storage": { "Provider": "AzureBlob", "Container": "Mail" }, "Mailboxes": { "support": { "Host": "h", "Username": "u" } } } }""");

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("MailIngest:Storage:ConnectionString or MailIngest:Storage:ServiceUri is required", stderr, StringComparison.Ordinal);
        Assert.Contains("MailIngest:Storage:Container must be", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_SeveralSectionsInvalid_ExitsTwoNamingEveryOne()
    {
        var (exitCode, _, stderr) = await RunAsync(
            """{ "MailIngest": { "Storage": { "Provider": "AzureBlob", "Container": "mail" }, "Mailboxes": { "support": { "Username": "u" } } } }""");

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("MailIngest:Mailboxes:support:Host is required", stderr, StringComparison.Ordinal);
        Assert.Contains("MailIngest:Storage:ConnectionString or MailIngest:Storage:ServiceUri is required", stderr, StringComparison.Ordinal);
    }
}
