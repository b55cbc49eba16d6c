using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using MailIngest.Archive;

namespace MailIngest.Ledger;

/// <summary>
/// Keeps a mailbox's ledger in the archive as a snapshot and an append-only journal of changes (docs/storage.md, "The
/// ledger"). A run appends one short line per step instead of rewriting the ledger, so the bytes written grow with the
/// messages handled, not with the mailbox; the journal is folded into a new snapshot once it outgrows the old one.
/// </summary>
/// <remarks>
/// Writers are kept apart by the mailbox lock, and a second writer that slipped past it (a lost Azure lease) by the
/// conditions: the snapshot is replaced only at the version read, the journal appended only at the length read.
/// </remarks>
internal sealed class LedgerStore(IMailArchive archive)
{
    /// <summary>A journal shorter than this is never folded: rewriting a snapshot costs more than reading a short journal.</summary>
    private const long MinFoldedJournalBytes = 64 * 1024;

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    /// <summary>
    /// Each mailbox's snapshot as last parsed, with the version it was read at. The snapshot changes only when the
    /// journal is folded, so in <c>mailingest run</c> nearly every poll reads a snapshot it parsed before: parsing it
    /// again was a third of a no-new poll of 20,000 messages (bench/README.md). Snapshots are immutable records; the
    /// cost is one parsed snapshot per mailbox kept between runs.
    /// </summary>
    private readonly ConcurrentDictionary<string, (string Version, LedgerSnapshot Snapshot)> _parsed = new(StringComparer.Ordinal);

    public static string JournalPath(string mailbox, int generation) =>
        string.Create(CultureInfo.InvariantCulture, $"state/{mailbox}.journal-{generation}.jsonl");

    /// <summary>The ledger as last written: the snapshot with the journal replayed on it; empty when the mailbox was never ingested.</summary>
    /// <exception cref="InvalidDataException">The snapshot or a journal line is not valid.</exception>
    public async Task<MailboxLedger> LoadAsync(string mailbox, CancellationToken cancellationToken)
    {
        var snapshotObject = await archive.ReadAsync(ArchiveLayout.LedgerPath(mailbox), cancellationToken);
        var snapshot = snapshotObject is null ? null : ParseSnapshot(mailbox, snapshotObject);
        var generation = snapshot?.Journal ?? 0;
        var journal = await archive.ReadAsync(JournalPath(mailbox, generation), cancellationToken);

        var entries = new Dictionary<string, LedgerEntry>(snapshot?.Messages?.Count ?? 0, StringComparer.Ordinal);
        foreach (var entry in snapshot?.Messages ?? [])
        {
            entries[entry.Id] = entry;
        }

        // A version 1 ledger listed stored and adopted messages alike: none of them may be deleted on its word.
        foreach (var uidl in snapshot?.Uidls ?? [])
        {
            entries[uidl] = new LedgerEntry(uidl, EntryState.Seen);
        }

        var (highWaterMark, totals, lastRun) = (snapshot?.HighWaterMark, snapshot?.Totals ?? new LedgerTotals(), snapshot?.LastRun);
        var sourceState = snapshot?.SourceState;
        var renumbered = snapshot?.Renumbered ?? [];
        var inFlight = new HashSet<string>(StringComparer.Ordinal);
        var outbox = (snapshot?.Outbox ?? []).ToDictionary(e => e.Id, StringComparer.Ordinal);
        var dead = (snapshot?.DeadLetters ?? []).ToDictionary(e => e.Id, StringComparer.Ordinal);
        var (journalBytes, torn) = Replay(mailbox, generation, journal?.Content ?? ReadOnlyMemory<byte>.Empty, change =>
        {
            foreach (var id in change.Remove ?? [])
            {
                entries.Remove(id);
            }

            foreach (var entry in change.Put ?? [])
            {
                entries[entry.Id] = entry;
            }

            // Landings in a line are of earlier flights; its in-flight IDs take off after them (a message retried after a death).
            inFlight.ExceptWith(change.Landed ?? []);
            inFlight.UnionWith(change.InFlight ?? []);
            highWaterMark = change.HighWaterMark ?? highWaterMark;
            totals = change.Totals ?? totals;
            lastRun = change.LastRun ?? lastRun;
            sourceState = change.SourceState is null ? sourceState : NullIfEmpty(change.SourceState);
            renumbered = change.Renumbered ?? renumbered;

            // Deliveries and refusals in a line are of events queued before it; its queued events (a resend) come after them.
            foreach (var id in change.Delivered ?? [])
            {
                outbox.Remove(id);
            }

            foreach (var letter in change.Dead ?? [])
            {
                outbox.Remove(letter.Id);
                dead[letter.Id] = letter;
            }

            foreach (var queued in change.Queued ?? [])
            {
                outbox[queued.Id] = queued;
                dead.Remove(queued.Id);
            }
        });

        return new MailboxLedger(mailbox, entries, highWaterMark, totals, lastRun)
        {
            SourceState = sourceState,
            Renumbered = renumbered,
            Position = new LedgerPosition(
                snapshotObject?.Version,
                snapshotObject?.Content.Length ?? 0,
                generation,
                journalBytes,
                NeedsCompaction: torn || (snapshot is not null && snapshot.SchemaVersion < LedgerSnapshot.CurrentSchemaVersion)),
        }.WithDiedInFlight(inFlight).WithOutbox(outbox.Values, dead.Values);
    }

    /// <summary>
    /// Appends the ledger's waiting changes as one journal line. With <paramref name="includeKept"/>, entries of stored and
    /// quarantined messages go too, after a barrier that makes those messages' objects durable first: no crash may leave
    /// an entry that allows a DELE for a message whose objects were lost. Without it, those entries keep waiting.
    /// </summary>
    public async Task AppendAsync(MailboxLedger ledger, bool includeKept, CancellationToken cancellationToken)
    {
        if (ledger.Position.NeedsCompaction)
        {
            await CompactAsync(ledger, cancellationToken);
        }

        if (!ledger.HasChanges)
        {
            return;
        }

        var (change, hasKept) = ledger.TakeChanges(includeKept);
        try
        {
            if (hasKept)
            {
                await archive.PersistAsync(cancellationToken);
            }

            var line = JsonSerializer.SerializeToUtf8Bytes(change, LedgerJson.Line.LedgerChange);
            var position = ledger.Position;
            var length = await archive.AppendAsync(
                JournalPath(ledger.Mailbox, position.Journal), (byte[])[.. line, .. NewLine], position.JournalBytes, cancellationToken);
            ledger.Position = position with { JournalBytes = length };
        }
        catch
        {
            ledger.Restore(change);
            throw;
        }
    }

    /// <summary>Appends every waiting change and makes the ledger durable: what a DELE may rely on.</summary>
    public async Task MakeDurableAsync(MailboxLedger ledger, CancellationToken cancellationToken)
    {
        await AppendAsync(ledger, includeKept: true, cancellationToken);
        await archive.PersistAsync(cancellationToken);
    }

    /// <summary>Folds the journal into a new snapshot when it has outgrown the old one (or must be folded), so loading stays cheap.</summary>
    public async Task CompactIfDueAsync(MailboxLedger ledger, CancellationToken cancellationToken)
    {
        var position = ledger.Position;
        if (position.NeedsCompaction || position.JournalBytes > Math.Max(position.SnapshotBytes, MinFoldedJournalBytes))
        {
            await CompactAsync(ledger, cancellationToken);
        }
    }

    /// <remarks>
    /// The new snapshot names the next journal generation, so the old journal is dead the moment the snapshot is written;
    /// it is deleted afterwards, with the one before it, which a crash in an earlier compaction may have left.
    /// </remarks>
    private async Task CompactAsync(MailboxLedger ledger, CancellationToken cancellationToken)
    {
        // Whatever waits is in the entries already, and so in the snapshot; kept messages' objects must be durable first.
        var (change, _) = ledger.TakeChanges(includeKept: true);
        if (change.InFlight is { Count: > 0 })
        {
            ledger.Restore(change);
            throw new InvalidOperationException("A ledger is folded only between retrievals, with nothing in flight.");
        }

        var position = ledger.Position;
        var next = position.Journal + 1;
        var snapshot = JsonSerializer.SerializeToUtf8Bytes(ledger.ToSnapshot(next), LedgerJson.Snapshot.LedgerSnapshot);
        try
        {
            await archive.PersistAsync(cancellationToken);
            var version = await archive.WriteAsync(
                ArchiveLayout.LedgerPath(ledger.Mailbox),
                new ArchiveObjectInfo("application/json", ArchiveObjectKind.Ledger, ledger.Mailbox),
                (stream, ct) => stream.WriteAsync(snapshot, ct).AsTask(),
                WriteCondition.Matching(position.SnapshotVersion),
                cancellationToken);
            ledger.Position = new LedgerPosition(version, snapshot.Length, next, 0, NeedsCompaction: false);
        }
        catch
        {
            ledger.Restore(change);
            throw;
        }

        await archive.PersistAsync(cancellationToken);
        await archive.DeleteAsync(JournalPath(ledger.Mailbox, position.Journal), cancellationToken);
        if (position.Journal > 0)
        {
            await archive.DeleteAsync(JournalPath(ledger.Mailbox, position.Journal - 1), cancellationToken);
        }
    }

    /// <summary>Applies every complete line; returns the length of those lines and whether a half-written one followed.</summary>
    private (long Bytes, bool Torn) Replay(string mailbox, int generation, ReadOnlyMemory<byte> journal, Action<LedgerChange> apply)
    {
        var rest = journal.Span;
        long complete = 0;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            if (end < 0)
            {
                // A writer killed inside an append (FileSystem store only: blob appends are atomic).
                return (complete, true);
            }

            var line = rest[..end];
            if (!line.IsEmpty)
            {
                apply(Parse(mailbox, JournalPath(mailbox, generation), line, LedgerJson.Line.LedgerChange));
            }

            complete += end + 1;
            rest = rest[(end + 1)..];
        }

        return (complete, false);
    }

    /// <summary>The snapshot in <paramref name="stored"/>, parsed unless it is the version parsed last.</summary>
    private LedgerSnapshot ParseSnapshot(string mailbox, ArchivedObject stored)
    {
        if (_parsed.TryGetValue(mailbox, out var parsed) && parsed.Version == stored.Version)
        {
            return parsed.Snapshot;
        }

        var snapshot = Parse(mailbox, ArchiveLayout.LedgerPath(mailbox), stored.Content.Span, LedgerJson.Snapshot.LedgerSnapshot);
        _parsed[mailbox] = (stored.Version, snapshot);
        return snapshot;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private T Parse<T>(string mailbox, string path, ReadOnlySpan<byte> json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new JsonException("it holds null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"The ledger {path} in {archive.Location} is not valid: {e.Message} Restore state/{mailbox}.* from a backup, or delete " +
                "them to ingest the mailbox again (into the same keys, so nothing is doubled; docs/recovery.md).",
                e);
        }
    }
}
