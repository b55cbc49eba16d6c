using System.Text.Json;
using System.Text.Json.Nodes;
using MailIngest.Archive;
using MailIngest.Configuration;
using MailIngest.Decoding;
using MailIngest.Events;
using MailIngest.Ingestion;
using MailIngest.Ledger;
using MailIngest.Reprocessing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailIngest.Core.Tests.Fakes;

/// <summary>The real run (runner, ledger, archiver, resilience) over a scripted server and an in-memory archive, on a fake clock.</summary>
internal sealed class RunHarness : IDisposable
{
    public const string Mailbox = "support";

    private readonly TestMeterFactory _meters = new();

    public RunHarness(MailboxOptions? options = null)
    {
        Options = options ?? new MailboxOptions();
        Options.Host = "pop.example.com";
        Options.Username = "support";
        Options.RetryDelay = TimeSpan.Zero;
        Runner = CreateRunner();
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-11-30T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public InMemoryArchive Archive { get; } = new();

    public ScriptedServer Server { get; } = new();

    public MailboxOptions Options { get; }

    /// <summary>Steps the run reached, with the message each was about.</summary>
    public List<(IngestStep Step, string? Id)> Steps { get; } = [];

    /// <summary>Called at each step; a test may throw from it to make the step fail.</summary>
    public Action<IngestStep, string?> OnStep { get; set; } = (_, _) => { };

    public IMailboxRunner Runner { get; private set; }

    /// <summary>The event port the runs use: none, unless a test turns events on (<see cref="UseEvents"/>).</summary>
    public IMessageEvents Events { get; private set; } = NoMessageEvents.Instance;

    /// <summary>Turns events on, with a scripted sink.</summary>
    public ScriptedEvents UseEvents()
    {
        var events = new ScriptedEvents();
        Events = events;
        Runner = CreateRunner();
        return events;
    }

    /// <summary>The outbox as a process outside the runs sees it (<c>mailingest events</c>, the redelivery of <c>run</c>).</summary>
    public IEventOutbox Outbox() => new EventOutbox(Services(StepObserver()), new IngestMetrics(_meters, Time));

    /// <summary><c>mailingest reprocess</c> over the same archive, with the runs' event port, telling <paramref name="sinks"/> too.</summary>
    public IReprocessor Reprocessor(DecoderLimits limits, params IReprocessedMessageSink[] sinks) =>
        new Reprocessor(new ReprocessServices(
            Archive, new LedgerStore(Archive), new MessageDecoder(limits), StepObserver(), new NoProgress(), sinks, Time, NullLogger<Reprocessor>.Instance)
        {
            Events = Events,
        });

    public Task<MailboxRunResult> RunAsync(CancellationToken stopping = default) => Runner.RunAsync(Mailbox, Options, stopping);

    /// <summary>Delivers <paramref name="count"/> messages u{first}… to the server, each <see cref="ScriptedServer.Message"/>.</summary>
    public void DeliverMessages(int count, int first = 1)
    {
        for (var n = first; n < first + count; n++)
        {
            Server.Deliver($"u{n}", ScriptedServer.Message(n));
        }
    }

    /// <summary>A run that must succeed; its summary is the failure message otherwise.</summary>
    public async Task<MailboxRunResult> RunOkAsync()
    {
        var result = await RunAsync();
        Assert.True(result.Status == MailboxRunStatus.Succeeded, result.Summary);
        return result;
    }

    public Task<MailboxRunResult> AdoptAsync() => Runner.AdoptAsync(Mailbox, Options, CancellationToken.None);

    public Task<MailboxRunResult> ReingestAsync() => Runner.ReingestAsync(Mailbox, Options, CancellationToken.None);

    public Task<MailboxPlan> PlanAsync() => Runner.PlanAsync(Mailbox, Options, CancellationToken.None);

    public Task<MailboxLedger> LedgerAsync() => new LedgerStore(Archive).LoadAsync(Mailbox, CancellationToken.None);

    /// <summary>A new process over the same archive and server: nothing of the old one's memory survives.</summary>
    public void Restart() => Runner = CreateRunner();

    /// <summary>An observer that records into <see cref="Steps"/> and calls <see cref="OnStep"/>, for other parts of the core under test.</summary>
    public IIngestObserver StepObserver() => new Observer(this);

    public IReadOnlyList<JsonObject> Manifests() =>
        [.. Archive.Paths.Where(p => p.StartsWith("messages/", StringComparison.Ordinal) && p.EndsWith("/manifest.json", StringComparison.Ordinal))
            .Select(p => JsonNode.Parse(Archive.Content(p))!.AsObject())];

    public IReadOnlyList<JsonObject> QuarantineRecords() =>
        [.. Archive.Paths.Where(p => p.StartsWith("quarantine/", StringComparison.Ordinal) && p.EndsWith("/error.json", StringComparison.Ordinal))
            .Select(p => JsonNode.Parse(Archive.Content(p))!.AsObject())];

    public static string Uidl(JsonObject manifest) => manifest["uidl"]!.GetValue<string>();

    public void Dispose()
    {
        Archive.Dispose();
        _meters.Dispose();
    }

    private MailboxRunner CreateRunner()
    {
        return new MailboxRunner([Server], Services(StepObserver()), new MailboxResilience(Time, NullLogger<MailboxResilience>.Instance), new IngestMetrics(_meters, Time));
    }

    private RunServices Services(IIngestObserver observer)
    {
        var archiver = new MessageArchiver(Archive, new MessageDecoder(new DecoderLimits()), observer, Time, NullLogger<MessageArchiver>.Instance);
        return new RunServices(Archive, new LedgerStore(Archive), archiver, observer, new NoProgress(), Time, NullLogger.Instance) { Events = Events };
    }

    private sealed class Observer(RunHarness harness) : IIngestObserver
    {
        public void OnStep(string mailbox, IngestStep reached, string? messageId)
        {
            lock (harness.Steps)
            {
                harness.Steps.Add((reached, messageId));
            }

            harness.OnStep(reached, messageId);
        }
    }
}
