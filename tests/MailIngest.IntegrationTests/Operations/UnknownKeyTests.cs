using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Operations;

/// <summary>
/// The check for unknown configuration keys reflects over the options classes, which the compiled program must keep as a
/// build has them (docs/architecture.md, "The build"): else it refuses good keys, or lets a misspelt one through. Run as
/// a process, which the whole suite compiles ahead of time (docs/testing.md, "What the tests run").
/// </summary>
public sealed class UnknownKeyTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailingest-keys-" + Guid.NewGuid().ToString("N"));

    public UnknownKeyTests() => Directory.CreateDirectory(_folder);

    private string Config => Path.Combine(_folder, "settings.json");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Runs <c>mailingest status</c>, which reads the store and connects to no server, with <paramref name="mailbox"/>'s settings added.</summary>
    private async Task<RunOutput> StatusAsync(string mailbox)
    {
        var archive = Path.Combine(_folder, "data").Replace(@"\", @"\\", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Config, $$"""
            { "MailIngest": {
                "MaxConcurrentMailboxes": 2,
                "Decoding": { "MaxParts": 200 },
                "Storage": { "Provider": "FileSystem", "Path": "{{archive}}" },
                "Events": { "Sink": "None", "DeliveryTimeout": "00:00:10" },
                "Scheduler": { "ShutdownTimeout": "00:00:30" },
                "Telemetry": { "OtlpProtocol": "Grpc" },
                "Mailboxes": { "support": { "Host": "mail.example.com", "Username": "support" {{mailbox}} } } } }
            """);
        return await MailIngestProcess.RunAsync(_folder, null, "status", "--config", Config);
    }

    [Fact]
    public async Task Status_KeysAtEveryDepthSpeltRight_AreAccepted()
    {
        var status = await StatusAsync("""
            , "Protocol": "Imap", "Security": "SslOnConnect", "Folders": [ "INBOX", "Archive" ], "MaxRunTime": "00:10:00",
              "Microsoft365": { "TenantId": "contoso.onmicrosoft.com", "ClientId": "00000000-0000-0000-0000-000000000001", "ClientSecret": "s" }
            """);

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Matches(@"support\s+never\s", status.Stdout);
    }

    [Fact]
    public async Task Status_MisspeltKeyDeepInAMailbox_ExitsTwoNamingItAndTheKeyMeant()
    {
        var status = await StatusAsync(""", "Microsoft365": { "TenantIdd": "contoso.onmicrosoft.com" }""");

        Assert.Equal(2, status.ExitCode);
        Assert.Contains(
            $"Unknown key 'TenantIdd' at MailIngest:Mailboxes:support:Microsoft365:TenantIdd (in {Config}): did you mean 'TenantId'?",
            status.Stderr,
            StringComparison.Ordinal);
    }
}
