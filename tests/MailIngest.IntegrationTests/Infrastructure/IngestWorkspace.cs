using System.Text.Json;
using System.Text.Json.Nodes;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A temporary folder holding one test's configuration file and temp files, and the archive the test runs against
/// (a folder in it, or a private Azurite), with the reads a test needs to check the archive's invariants. It owns the
/// <c>mailingest</c> processes a test starts in it and kills those still running when it is disposed.
/// </summary>
public sealed class IngestWorkspace : IAsyncDisposable
{
    private readonly List<MailIngestProcess> _processes = [];

    private IngestWorkspace(string root, ArchiveUnderTest archive)
    {
        Root = root;
        Archive = archive;
    }

    public string Root { get; }

    public ArchiveUnderTest Archive { get; }

    public string ConfigPath => Path.Combine(Root, "appsettings.json");

    public static async Task<IngestWorkspace> CreateAsync(StoreKind store)
    {
        var root = Path.Combine(Path.GetTempPath(), "mailingest-it-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        return new IngestWorkspace(root, await ArchiveUnderTest.CreateAsync(store, root));
    }

    /// <summary>
    /// Writes a configuration with the workspace's store and one mailbox; <paramref name="mailbox"/> settings override
    /// the mailbox's defaults, <paramref name="ingest"/> settings those of the MailIngest section, <paramref name="storage"/>
    /// those of its Storage section.
    /// </summary>
    public void Configure(
        string name, string host, int port, string user, string password, object? mailbox = null, object? ingest = null, object? storage = null)
    {
        var settings = new JsonObject
        {
            ["Host"] = host,
            ["Port"] = port,
            ["Security"] = "None",
            ["Username"] = user,
            ["Password"] = password,
        };
        Merge(settings, mailbox);
        var storageSettings = Archive.StorageSettings();
        Merge(storageSettings, storage);
        var config = new JsonObject
        {
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Information" } },
            ["MailIngest"] = new JsonObject
            {
                ["Storage"] = storageSettings,
                ["Mailboxes"] = new JsonObject { [name] = settings },
            },
        };
        Merge(config["MailIngest"]!.AsObject(), ingest);
        File.WriteAllText(ConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static void Merge(JsonObject target, object? overrides)
    {
        if (overrides is not null)
        {
            foreach (var (key, value) in JsonSerializer.SerializeToNode(overrides)!.AsObject())
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    public Task<RunOutput> OnceAsync(IReadOnlyDictionary<string, string>? environment = null) =>
        MailIngestProcess.RunAsync(Root, environment, "once", "--config", ConfigPath);

    /// <summary>Runs another verb (adopt, plan, status, retry, ...) against the workspace's configuration.</summary>
    public Task<RunOutput> RunVerbAsync(params string[] args) =>
        MailIngestProcess.RunAsync(Root, null, [.. args, "--config", ConfigPath]);

    /// <summary>Runs a verb with extra environment variables (a fault to inject) against the workspace's configuration.</summary>
    public Task<RunOutput> RunVerbAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        MailIngestProcess.RunAsync(Root, environment, [.. args, "--config", ConfigPath]);

    public MailIngestProcess StartOnce(IReadOnlyDictionary<string, string>? environment = null) =>
        Start(environment, "once", "--config", ConfigPath);

    /// <summary>
    /// Starts <c>mailingest once</c>, which the test host holds at <paramref name="faultPoint"/> (STEP:N, as
    /// <c>MAILINGEST_FAULT_INJECTION</c> names it) until the returned file exists; returns once it is held there.
    /// </summary>
    public async Task<(MailIngestProcess Process, string Resume)> StartOnceHeldAtAsync(string faultPoint)
    {
        var resume = Path.Combine(Root, "resume");
        var process = StartOnce(new Dictionary<string, string> { ["MAILINGEST_FAULT_INJECTION"] = faultPoint, ["MAILINGEST_FAULT_PAUSE"] = resume });
        await Eventually.HoldsAsync(() => File.Exists(resume + ".reached"), TimeSpan.FromSeconds(60), $"the run reaches {faultPoint}");
        return (process, resume);
    }

    /// <summary>Starts <c>mailingest</c> in the workspace without waiting for it; the workspace kills it at the end if it still runs.</summary>
    public MailIngestProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var process = MailIngestProcess.Start(Root, environment, args);
        _processes.Add(process);
        return process;
    }

    /// <inheritdoc cref="ArchiveUnderTest.Manifests"/>
    public IReadOnlyList<StoredManifest> Manifests() => Archive.Manifests();

    /// <inheritdoc cref="ArchiveUnderTest.MessageFolders"/>
    public IReadOnlyList<string> MessageFolders() => Archive.MessageFolders();

    public IReadOnlyList<string> QuarantinedFolders() => Archive.QuarantinedFolders();

    internal Ledger.MailboxLedger? Ledger(string mailbox) => Archive.Ledger(mailbox);

    /// <inheritdoc cref="ArchiveUnderTest.HalfWritten"/>
    public IReadOnlyList<string> TempFiles() => Archive.HalfWritten();

    public async ValueTask DisposeAsync()
    {
        try
        {
            // The processes first: they write into the archive.
            await Teardown.DisposeAllAsync([.. _processes, Archive]);
        }
        finally
        {
            DeleteRoot();
        }
    }

    private void DeleteRoot()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A killed process may still hold a file for a moment; the temp folder is cleaned by the OS eventually.
        }
    }
}
