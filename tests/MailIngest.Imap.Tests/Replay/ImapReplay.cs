using System.Text.Json.Nodes;
using MailIngest.Configuration;
using MailIngest.Ingestion;
using MailIngest.Login;
using MailIngest.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MailIngest.Imap.Tests.Replay;

/// <summary>
/// The real run (ledger, archiver, resilience) over an <see cref="ImapMailServer"/> whose every connection replays the
/// next scripted session, into a FileSystem archive in a temporary folder that later sessions share. It is
/// <see cref="IDisposable"/>, as the test classes that own one are: xunit 2 disposes a test class through that
/// interface only, never through <see cref="IAsyncDisposable"/>.
/// </summary>
internal sealed class ImapReplay : IDisposable
{
    public const string Mailbox = "support";
    public const string User = "support@example.com";
    public const string Password = "s3cret-Pa55";

    private readonly string _root = Directory.CreateTempSubdirectory("mailingest-imap-replay-").FullName;
    private readonly Queue<ImapReplayStream> _sessions = new();
    private readonly List<ImapReplayStream> _played = [];

    /// <summary>The sessions played so far, in connection order.</summary>
    public IReadOnlyList<ImapReplayStream> Played => _played;

    /// <summary>The folder of the archive's files.</summary>
    public string Archive => Path.Combine(_root, "data");

    /// <summary>Runs the mailbox once over the given sessions (one per connection) with its settings besides the defaults.</summary>
    public async Task<MailboxRunResult> RunAsync(IDictionary<string, string?> settings, params IEnumerable<ImapExchange>[] sessions) =>
        await WithRunnerAsync(settings, sessions, (runner, options) => runner.RunAsync(Mailbox, options, CancellationToken.None));

    /// <summary>Adopts what the mailbox holds over the given sessions.</summary>
    public async Task<MailboxRunResult> AdoptAsync(IDictionary<string, string?> settings, params IEnumerable<ImapExchange>[] sessions) =>
        await WithRunnerAsync(settings, sessions, (runner, options) => runner.AdoptAsync(Mailbox, options, CancellationToken.None));

    /// <summary>Every stored manifest, parsed.</summary>
    public IReadOnlyList<JsonObject> Manifests()
    {
        var folder = Path.Combine(Archive, "messages");
        return Directory.Exists(folder)
            ? [.. Directory.GetFiles(folder, "manifest.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(p => JsonNode.Parse(File.ReadAllText(p))!.AsObject())]
            : [];
    }

    /// <summary>Every command the client sent, over all connections.</summary>
    public IEnumerable<string> Commands => _played.SelectMany(s => s.Commands);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<MailboxRunResult> WithRunnerAsync(
        IDictionary<string, string?> settings, IEnumerable<ImapExchange>[] sessions, Func<IMailboxRunner, MailboxOptions, Task<MailboxRunResult>> work)
    {
        foreach (var session in sessions)
        {
            _sessions.Enqueue(new ImapReplayStream(session));
        }

        var values = new Dictionary<string, string?>
        {
            ["MailIngest:Storage:Provider"] = "FileSystem",
            ["MailIngest:Storage:Path"] = Archive,
            [$"MailIngest:Mailboxes:{Mailbox}:Protocol"] = "Imap",
            [$"MailIngest:Mailboxes:{Mailbox}:Host"] = "imap.example.com",
            [$"MailIngest:Mailboxes:{Mailbox}:Security"] = "None",
            [$"MailIngest:Mailboxes:{Mailbox}:Username"] = User,
            [$"MailIngest:Mailboxes:{Mailbox}:RetryDelay"] = "00:00:00",
        };
        if (!settings.ContainsKey("AccessTokenFile"))
        {
            values[$"MailIngest:Mailboxes:{Mailbox}:Password"] = Password;
        }

        foreach (var (key, value) in settings)
        {
            values[$"MailIngest:Mailboxes:{Mailbox}:{key}"] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var server = new ImapMailServer(
            async (client, options, security, ct) =>
            {
                var stream = _sessions.TryDequeue(out var next)
                    ? next
                    : throw new InvalidOperationException($"Connection {_played.Count + 1} was not expected: only {_played.Count} sessions were scripted.");
                _played.Add(stream);
                await client.ConnectAsync(stream, options.Host, 143, security, ct);
            },
            NullLogger.Instance,
            [new AccessTokenFileSource()]);
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddMailIngestion(configuration)
            .AddMailArchive(configuration)
            .AddSingleton<IMailSource>(server)
            .BuildServiceProvider();
        var options = services.GetRequiredService<IOptions<MailIngestOptions>>().Value.Mailboxes[Mailbox];
        return await work(services.GetRequiredService<IMailboxRunner>(), options);
    }
}
