using System.Text.Json.Nodes;
using MailIngest.Archive;
using MailIngest.Ledger;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>The stores the engine's tests run against: one test body, a fixture per store.</summary>
public enum StoreKind
{
    FileSystem,
    AzureBlob,
}

/// <summary>
/// One test's archive in one kind of store: the <c>MailIngest:Storage</c> settings that point mailingest at it, and
/// the reads a test needs to check the archive's invariants, by archive path (<c>messages/…/manifest.json</c>).
/// </summary>
public abstract class ArchiveUnderTest : IAsyncDisposable
{
    public abstract StoreKind Kind { get; }

    public static async Task<ArchiveUnderTest> CreateAsync(StoreKind kind, string root) => kind switch
    {
        StoreKind.FileSystem => new FileSystemArchiveUnderTest(Path.Combine(root, "data")),
        StoreKind.AzureBlob => await AzuriteArchiveUnderTest.StartAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The <c>MailIngest:Storage</c> section for this store.</summary>
    public abstract JsonObject StorageSettings();

    /// <summary>The store as mailingest's own code sees it, for tests of the archiver.</summary>
    public abstract IMailArchive Open();

    /// <summary>Every object under <paramref name="prefix"/>, by archive path, in ordinal order.</summary>
    public abstract IReadOnlyList<string> List(string prefix);

    public abstract byte[]? Read(string path);

    public abstract void Write(string path, byte[] content);

    /// <summary>Deletes an object behind mailingest's back, as an operator or a faulty consumer might.</summary>
    public abstract void Delete(string path);

    /// <summary>What a write left half-done (FileSystem: temp files; Azure: blobs with uncommitted blocks): never after a completed run.</summary>
    public abstract IReadOnlyList<string> HalfWritten();

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Ends the mailbox's lock that a process left behind (killed, or failed while storage was down), as time would:
    /// nothing to do on the FileSystem (the kernel drops a dead process's lock); on Azure the lease is broken at once
    /// rather than waited out (it ends by itself within the lease duration, which <c>Azure/LeaseTests</c> checks), so
    /// that each kill test does not wait 15 s for it.
    /// </summary>
    public virtual Task EndOrphanedLockAsync(string mailbox) => Task.CompletedTask;

    public bool Exists(string path) => Read(path) is not null;

    /// <summary>Every stored manifest, parsed, with the folder it lies in.</summary>
    public IReadOnlyList<StoredManifest> Manifests() => FoldersHolding("messages/", "manifest.json")
        .Select(folder => new StoredManifest(this, folder, JsonNode.Parse(Read($"{folder}/manifest.json")!)!.AsObject()))
        .ToList();

    /// <summary>Message folders holding a raw message: after a completed run each must have a manifest.</summary>
    public IReadOnlyList<string> MessageFolders() => FoldersHolding("messages/", "message.eml");

    public IReadOnlyList<string> QuarantinedFolders() => FoldersHolding("quarantine/", "message.eml");

    /// <summary>The mailbox's ledger as the product reads it (snapshot and journal), or null when it was never written.</summary>
    internal MailboxLedger? Ledger(string mailbox)
    {
        var ledger = Task.Run(() => new LedgerStore(Open()).LoadAsync(mailbox, CancellationToken.None)).GetAwaiter().GetResult();
        return ledger.Position.Exists ? ledger : null;
    }

    /// <summary>Everything the mailbox's ledger files hold, as text, for scanning.</summary>
    public string LedgerText(string mailbox) => string.Concat(
        List("state/").Where(p => p.StartsWith($"state/{mailbox}.", StringComparison.Ordinal)).Select(p => System.Text.Encoding.UTF8.GetString(Read(p)!)));

    private List<string> FoldersHolding(string prefix, string name) => List(prefix)
        .Where(path => path.EndsWith("/" + name, StringComparison.Ordinal))
        .Select(path => path[..^(name.Length + 1)])
        .Order(StringComparer.Ordinal)
        .ToList();
}

/// <summary>A manifest.json as stored, and its message folder (an archive path).</summary>
public sealed record StoredManifest(ArchiveUnderTest Archive, string Folder, JsonObject Json)
{
    public string Uidl => Json["uidl"]!.GetValue<string>();

    public byte[] Raw => Archive.Read($"{Folder}/{Json["raw"]!["path"]!.GetValue<string>()}")!;

    public IReadOnlyList<JsonObject> Attachments => Json["attachments"]!.AsArray().Select(a => a!.AsObject()).ToList();
}
