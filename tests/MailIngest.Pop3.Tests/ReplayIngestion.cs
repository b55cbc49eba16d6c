using System.Text.Json.Nodes;
using MailIngest.Ingestion;
using MailIngest.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MailIngest.Configuration;

namespace MailIngest.Pop3.Tests;

/// <summary>The real core loop (ledger, archiver, resilience) over replayed POP3 sessions, into a FileSystem archive in a temp folder.</summary>
internal sealed class ReplayIngestion : IAsyncDisposable
{
    public const string Mailbox = "support";

    private readonly ServiceProvider _services;
    private readonly bool _ownsRoot;

    public ReplayIngestion(ReplayServer server, IDictionary<string, string?>? mailboxSettings = null, string? root = null)
    {
        _ownsRoot = root is null;
        Root = root ?? Directory.CreateTempSubdirectory("mailingest-replay-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["MailIngest:Storage:Provider"] = "FileSystem",
            ["MailIngest:Storage:Path"] = Path.Combine(Root, "data"),
            [$"MailIngest:Mailboxes:{Mailbox}:Host"] = "pop.example.com",
            [$"MailIngest:Mailboxes:{Mailbox}:Username"] = Transcript.User,
            [$"MailIngest:Mailboxes:{Mailbox}:Password"] = Transcript.Password,
            [$"MailIngest:Mailboxes:{Mailbox}:Security"] = "None",
            // Reconnects in these tests should not wait: the backoff itself is Polly's, tested there.
            [$"MailIngest:Mailboxes:{Mailbox}:RetryDelay"] = "00:00:00",
        };
        foreach (var (key, value) in mailboxSettings ?? new Dictionary<string, string?>())
        {
            settings[$"MailIngest:Mailboxes:{Mailbox}:{key}"] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _services = new ServiceCollection()
            .AddLogging()
            .AddMailIngestion(configuration)
            .AddMailArchive(configuration)
            .AddSingleton<IMailSource>(server.Server)
            .BuildServiceProvider();
    }

    public string Root { get; }

    private MailboxOptions Options => _services.GetRequiredService<IOptions<MailIngestOptions>>().Value.Mailboxes[Mailbox];

    public Task<MailboxRunResult> RunAsync() =>
        _services.GetRequiredService<IMailboxRunner>().RunAsync(Mailbox, Options, CancellationToken.None);

    public Task<MailboxRunResult> AdoptAsync() =>
        _services.GetRequiredService<IMailboxRunner>().AdoptAsync(Mailbox, Options, CancellationToken.None);

    /// <summary>Every stored manifest, parsed.</summary>
    public IReadOnlyList<JsonObject> Manifests()
    {
        var folder = Path.Combine(Root, "data", "messages");
        return Directory.Exists(folder)
            ? [.. Directory.GetFiles(folder, "manifest.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(p => JsonNode.Parse(File.ReadAllText(p))!.AsObject())]
            : [];
    }

    public static IReadOnlyList<string> Warnings(JsonObject manifest) => [.. manifest["warnings"]!.AsArray().Select(w => w!.GetValue<string>())];

    /// <summary>A later run (a new process, so to speak) on the same archive against another replayed server.</summary>
    public ReplayIngestion Over(ReplayServer server, bool deleteAfterIngest = false, bool uidlGuard = true) =>
        new(
            server,
            new Dictionary<string, string?>
            {
                ["DeleteAfterIngest"] = deleteAfterIngest ? "true" : "false",
                ["UidlGuard"] = uidlGuard ? "true" : "false",
            },
            Root);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_ownsRoot)
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
