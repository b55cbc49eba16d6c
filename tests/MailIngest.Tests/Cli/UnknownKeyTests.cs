using MailIngest.Host.Cli;

namespace MailIngest.Tests.Cli;

/// <summary>
/// A key under <c>MailIngest</c> that no setting has, at any depth, stops every verb with exit code 2, naming the key, where
/// it was set and the key probably meant, instead of being ignored (a misspelt <c>Storage</c> would store into <c>./data</c>).
/// </summary>
[Collection(CliRun.Collection)]
public sealed class UnknownKeyTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailingest-keys-" + Guid.NewGuid().ToString("N"));

    public UnknownKeyTests() => Directory.CreateDirectory(_folder);

    private string Config => Path.Combine(_folder, "settings.json");

    private string Archive => Path.Combine(_folder, "data").Replace(@"\", @"\\", StringComparison.Ordinal);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string ConfigurationKey(string path) => path[(path.LastIndexOf(':') + 1)..];

    /// <summary><paramref name="sections"/> go beside a valid Storage section and a mailbox with <paramref name="mailbox"/>.</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string verb, string sections, string mailbox = "")
    {
        await File.WriteAllTextAsync(Config, $$"""
            { "MailIngest": {
                "Mailboxes": { "support": { "Host": "h", "Username": "u" {{mailbox}} } }
                {{sections}} } }
            """);
        return await CliRun.InvokeAsync(verb, "--config", Config);
    }

    [Fact]
    public async Task Once_MisspeltSection_ExitsTwoNamingItsFileAndTheSectionMeant()
    {
        var (exitCode, _, stderr) = await RunAsync("once", $$""", "Storge": { "Path": "{{Archive}}" }""");

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains($"Unknown key 'Storge' at MailIngest:Storge (in {Config}): did you mean 'Storage'?", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_MisspeltSection_ExitsTwoBeforeAnyConnection()
    {
        var (exitCode, stdout, stderr) = await RunAsync("check", """, "Evnts": { }""");

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("Unknown key 'Evnts' at MailIngest:Evnts", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("configuration: ok", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_UnlikeAnyKey_ExitsTwoListingTheKeysThere()
    {
        var (exitCode, _, stderr) = await RunAsync("once", """, "Archive": "x" """);

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains(
            "Unknown key 'Archive' at MailIngest:Archive (in " + Config + "): the keys there are Decoding, Events, Mailboxes, MaxConcurrentMailboxes, Scheduler, Storage, Telemetry.",
            stderr,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("once", """, "Storage": { "Pth": "/tmp/archive" }""", "", "MailIngest:Storage:Pth", "Path")]
    [InlineData("once", """, "Scheduler": { "Clusterd": true }""", "", "MailIngest:Scheduler:Clusterd", "Clustered")] // though only run schedules
    [InlineData("run", """, "Scheduler": { "ShutdownTimout": "00:00:10" }""", "", "MailIngest:Scheduler:ShutdownTimout", "ShutdownTimeout")]
    [InlineData("once", """, "Decoding": { "MaxPart": 10 }""", "", "MailIngest:Decoding:MaxPart", "MaxParts")]
    [InlineData("once", """, "Events": { "Snk": "Webhook" }""", "", "MailIngest:Events:Snk", "Sink")]
    [InlineData("once", """, "Telemetry": { "OtlpEndpont": "http://collector:4318" }""", "", "MailIngest:Telemetry:OtlpEndpont", "OtlpEndpoint")]
    [InlineData("once", "", """, "Microsoft365": { "Tenant": "contoso.onmicrosoft.com" }""", "MailIngest:Mailboxes:support:Microsoft365:Tenant", "TenantId")]
    public async Task Verb_MisspeltKeyInASection_ExitsTwoNamingItAndTheKeyMeant(string verb, string sections, string mailbox, string path, string meant)
    {
        var (exitCode, _, stderr) = await RunAsync(verb, sections, mailbox);

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains($"Unknown key '{ConfigurationKey(path)}' at {path} (in {Config}): did you mean '{meant}'?", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_KeyUnderAValue_ExitsTwoSayingItTakesAValue()
    {
        var (exitCode, _, stderr) = await RunAsync("once", $$""", "Storage": { "Path": { "Root": "{{Archive}}" } }""");

        Assert.Equal(ExitCodes.ConfigurationError, exitCode);
        Assert.Contains("Unknown key 'Root' at MailIngest:Storage:Path:Root", stderr, StringComparison.Ordinal);
        Assert.Contains("MailIngest:Storage:Path takes a value, not keys.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_MisspeltEnvironmentVariable_ExitsTwoNamingTheVariable()
    {
        // Every test that reads the environment runs in this collection, one at a time: none sees the variable but this one.
        const string variable = "MailIngest__Storge__Path";
        Environment.SetEnvironmentVariable(variable, _folder);
        try
        {
            var (exitCode, _, stderr) = await RunAsync("once", "");

            Assert.Equal(ExitCodes.ConfigurationError, exitCode);
            Assert.Contains($"Unknown key 'Storge' at MailIngest:Storge (from the environment: {variable}): did you mean 'Storage'?", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Status_EverySectionSpeltRight_PassesTheKeyCheck()
    {
        var (exitCode, _, stderr) = await RunAsync(
            "status",
            $$"""
            , "MaxConcurrentMailboxes": 2,
            "Storage": { "Provider": "FileSystem", "Path": "{{Archive}}" },
            "Scheduler": { "Clustered": false, "ShutdownTimeout": "00:00:10" },
            "Telemetry": { "OtlpProtocol": "Grpc" },
            "Decoding": { "MaxParts": 10, "MaxDepth": 5, "MaxHeaderBytes": 4096 }
            """,
            """, "maxRunTime": "00:10:00", "Microsoft365": { "TenantId": "contoso.onmicrosoft.com", "ClientId": "00000000-1111-2222-3333-444444444444", "ClientSecret": "s" }""");

        Assert.DoesNotContain("Configuration error", stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, exitCode);
    }
}
