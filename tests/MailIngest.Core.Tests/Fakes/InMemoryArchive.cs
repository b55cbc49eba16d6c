using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using MailIngest.Archive;

namespace MailIngest.Core.Tests.Fakes;

/// <summary>
/// Our own archive port, kept in memory for the run's unit tests (the stores themselves are tested against a real folder
/// and a real Azurite). It models durability: what was written since the last <see cref="PersistAsync"/> is lost by a
/// <see cref="PowerCut"/>, so a test can check that no durable ledger entry outlives the objects it names.
/// </summary>
internal sealed class InMemoryArchive : IMailArchive, IDisposable
{
    private readonly ConcurrentDictionary<string, byte[]> _objects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _durable = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();

    public InMemoryArchive()
    {
        SpoolFolder = Directory.CreateTempSubdirectory("mailingest-core-tests-").FullName;
    }

    public string Location => "memory";

    public string SpoolFolder { get; }

    public int StoresAtOnce => 8;

    /// <summary>Every write and barrier, in order: "write PATH", "append PATH", "delete PATH", "persist".</summary>
    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>Bytes written or appended to each path, over the archive's life.</summary>
    public ConcurrentDictionary<string, long> BytesWritten { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, every write fails as an outage of the store would.</summary>
    public bool Unavailable { get; set; }

    /// <summary>When set, every lock held says it is no longer held, as a lease that ended unrenewed does.</summary>
    public bool LocksLost { get; set; }

    public IReadOnlyCollection<string> Paths => [.. _objects.Keys.Order(StringComparer.Ordinal)];

    public byte[]? Content(string path) => _objects.GetValueOrDefault(path);

    /// <summary>The object as the last persist left it: what a power cut would keep.</summary>
    /// <remarks>Under the lock a persist takes: between its clearing and refilling, every object would seem lost.</remarks>
    public byte[]? DurableContent(string path)
    {
        lock (_sync)
        {
            return _durable.GetValueOrDefault(path);
        }
    }

    public async Task<IMailboxLock?> TryLockMailboxAsync(string mailbox, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(mailbox, _ => new SemaphoreSlim(1, 1));
        return await gate.WaitAsync(0, cancellationToken) ? new HeldLock(this, gate) : null;
    }

    public Task<string?> LockHolderAsync(string mailbox, CancellationToken cancellationToken) =>
        Task.FromResult(_locks.TryGetValue(mailbox, out var gate) && gate.CurrentCount == 0 ? "a test" : null);

    /// <summary>Awaited before each read answers, with the path read: a test may hold a read back.</summary>
    public Func<string, Task> OnRead { get; set; } = _ => Task.CompletedTask;

    public async Task<ArchivedObject?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await OnRead(path);
        return _objects.TryGetValue(path, out var content) ? new ArchivedObject(content, VersionOf(content)) : null;
    }

    public Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken) =>
        Task.FromResult<Stream?>(_objects.TryGetValue(path, out var content) ? new MemoryStream(content, writable: false) : null);

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var path in _objects.Keys.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)))
        {
            yield return path;
        }
    }

    public async Task<string> WriteAsync(
        string path, ArchiveObjectInfo info, Func<Stream, CancellationToken, Task> writeContent, WriteCondition condition, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable(path);
        using var buffer = new MemoryStream();
        await writeContent(buffer, cancellationToken);
        return Put(path, buffer.ToArray(), condition, "write");
    }

    /// <summary>Writes <paramref name="json"/> as the mailbox's ledger snapshot, as a test that hand-makes one needs it.</summary>
    public Task<string> WriteLedgerSnapshotAsync(string mailbox, string json) => WriteAsync(
        ArchiveLayout.LedgerPath(mailbox),
        new ArchiveObjectInfo("application/json", ArchiveObjectKind.Ledger, mailbox),
        (stream, ct) => stream.WriteAsync(Encoding.UTF8.GetBytes(json), ct).AsTask(),
        WriteCondition.None,
        CancellationToken.None);

    public async Task StoreFileAsync(string path, ArchiveObjectInfo info, string file, WriteCondition condition, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable(path);
        Put(path, await File.ReadAllBytesAsync(file, cancellationToken), condition, "write");
        File.Delete(file);
    }

    public Task<long> AppendAsync(string path, ReadOnlyMemory<byte> content, long expectedLength, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable(path);
        lock (_sync)
        {
            var current = _objects.GetValueOrDefault(path) ?? [];
            if (current.Length != expectedLength)
            {
                throw new ArchiveConflictException($"{path} is {current.Length} bytes long, not {expectedLength}.");
            }

            _objects[path] = [.. current, .. content.Span];
            BytesWritten.AddOrUpdate(path, content.Length, (_, n) => n + content.Length);
            Events.Enqueue($"append {path}");
            return Task.FromResult((long)_objects[path].Length);
        }
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable(path);
        lock (_sync)
        {
            _objects.TryRemove(path, out _);
            Events.Enqueue($"delete {path}");
        }

        return Task.CompletedTask;
    }

    public Task PersistAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnavailable("(persist)");
        lock (_sync)
        {
            _durable.Clear();
            foreach (var (path, content) in _objects)
            {
                _durable[path] = content;
            }

            Events.Enqueue("persist");
        }

        return Task.CompletedTask;
    }

    /// <summary>The machine went down: everything written since the last persist is gone.</summary>
    public void PowerCut()
    {
        lock (_sync)
        {
            _objects.Clear();
            foreach (var (path, content) in _durable)
            {
                _objects[path] = content;
            }
        }
    }

    public void Dispose() => Directory.Delete(SpoolFolder, recursive: true);

    private string Put(string path, byte[] content, WriteCondition condition, string verb)
    {
        lock (_sync)
        {
            var current = _objects.TryGetValue(path, out var existing) ? VersionOf(existing) : null;
            if (condition.IsConditional && current != condition.ExpectedVersion)
            {
                throw new ArchiveConflictException($"{path}: expected version {condition.ExpectedVersion ?? "none"}, found {current ?? "none"}.");
            }

            _objects[path] = content;
            BytesWritten.AddOrUpdate(path, content.Length, (_, n) => n + content.Length);
            Events.Enqueue($"{verb} {path}");
            return VersionOf(content);
        }
    }

    private void ThrowIfUnavailable(string path)
    {
        if (Unavailable)
        {
            throw new ArchiveUnavailableException($"the test store is down ({path})", new IOException("down"));
        }
    }

    private static string VersionOf(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private sealed class HeldLock(InMemoryArchive archive, SemaphoreSlim gate) : IMailboxLock
    {
        public CancellationToken Lost => CancellationToken.None;

        public bool IsHeld => !archive.LocksLost;

        public ValueTask DisposeAsync()
        {
            gate.Release();
            return ValueTask.CompletedTask;
        }
    }
}
