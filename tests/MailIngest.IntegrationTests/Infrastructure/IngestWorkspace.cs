using System.Text.Json;
using System.Text.Json.Nodes;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A temporary folder holding one test's configuration file and FileSystem archive, with the reads a test needs to
/// check the archive's invariants.
/// </summary>
public sealed class IngestWorkspace : IDisposable
{
    public IngestWorkspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "mailingest-it-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string DataPath => Path.Combine(Root, "data");

    public string ConfigPath => Path.Combine(Root, "appsettings.json");

    /// <summary>
    /// Writes a configuration with the FileSystem store and one mailbox; <paramref name="mailbox"/> settings override
    /// the mailbox's defaults, <paramref name="ingest"/> settings those of the MailIngest section.
    /// </summary>
    public void Configure(string name, string host, int port, string user, string password, object? mailbox = null, object? ingest = null)
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
        var config = new JsonObject
        {
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Information" } },
            ["MailIngest"] = new JsonObject
            {
                ["TempPath"] = Path.Combine(Root, "tmp"),
                ["Storage"] = new JsonObject { ["Provider"] = "FileSystem", ["Path"] = DataPath },
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

    public MailIngestProcess StartOnce(IReadOnlyDictionary<string, string>? environment = null) =>
        MailIngestProcess.Start(Root, environment, "once", "--config", ConfigPath);

    /// <summary>Every stored manifest, parsed, with the folder it lies in.</summary>
    public IReadOnlyList<StoredManifest> Manifests() => Files("messages", "manifest.json")
        .Select(path => new StoredManifest(Path.GetDirectoryName(path)!, JsonNode.Parse(File.ReadAllText(path))!.AsObject()))
        .ToList();

    /// <summary>Message folders holding any file at all: after a completed run each must have a manifest.</summary>
    public IReadOnlyList<string> MessageFolders() => Files("messages", "message.eml").Select(Path.GetDirectoryName).ToList()!;

    public IReadOnlyList<string> QuarantinedFolders() => Files("quarantine", "message.eml").Select(Path.GetDirectoryName).ToList()!;

    public JsonObject? Ledger(string mailbox)
    {
        var path = Path.Combine(DataPath, "state", mailbox + ".json");
        return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))!.AsObject() : null;
    }

    /// <summary>Files the store left half-written: temp files must never survive a completed run.</summary>
    public IReadOnlyList<string> TempFiles() => Directory.Exists(DataPath)
        ? Directory.GetFiles(DataPath, "*.tmp", SearchOption.AllDirectories)
        : [];

    public void Dispose()
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

    private IEnumerable<string> Files(string under, string name)
    {
        var folder = Path.Combine(DataPath, under);
        return Directory.Exists(folder) ? Directory.GetFiles(folder, name, SearchOption.AllDirectories).Order(StringComparer.Ordinal) : [];
    }
}

/// <summary>A manifest.json as stored, and its message folder.</summary>
public sealed record StoredManifest(string Folder, JsonObject Json)
{
    public string Uidl => Json["uidl"]!.GetValue<string>();

    public byte[] Raw => File.ReadAllBytes(Path.Combine(Folder, Json["raw"]!["path"]!.GetValue<string>()));

    public IReadOnlyList<JsonObject> Attachments => Json["attachments"]!.AsArray().Select(a => a!.AsObject()).ToList();
}
