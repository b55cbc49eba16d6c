using MailIngest.Events;

namespace MailIngest.Ledger;

/// <summary>
/// A mailbox's memory of its server: an entry for every message on it that was stored, quarantined, adopted, skipped or
/// is being retried, the high-water mark, running totals and the last run. Changes apply at once and wait, as one
/// journal line, for the next <see cref="LedgerStore.AppendAsync"/>. Safe to change from several threads.
/// </summary>
internal sealed class MailboxLedger
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, LedgerEntry> _entries;
    private readonly Dictionary<string, LedgerEntry> _kept = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LedgerEntry> _put = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly HashSet<string> _landed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingEvent> _outbox = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeadLetter> _deadLetters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingEvent> _queued = new(StringComparer.Ordinal);
    private readonly HashSet<string> _delivered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeadLetter> _died = new(StringComparer.Ordinal);
    private bool _runChanged;
    private bool _sourceStateChanged;
    private string? _sourceState;
    private readonly Dictionary<string, LedgerEntry> _renumbered = new(StringComparer.Ordinal);
    private bool _renumberedChanged;
    private Dictionary<string, LedgerEntry?>? _renumberedByMessageId;

    /// <summary>A ledger of <paramref name="entries"/> (by ID, compared ordinally), which it keeps as its own dictionary.</summary>
    public MailboxLedger(string mailbox, Dictionary<string, LedgerEntry> entries, string? highWaterMark, LedgerTotals totals, RecordedRun? lastRun)
    {
        Mailbox = mailbox;
        _entries = entries;
        HighWaterMark = highWaterMark;
        Totals = totals;
        LastRun = lastRun;
    }

    public string Mailbox { get; }

    /// <summary>The newest ingested ID in server order.</summary>
    public string? HighWaterMark { get; private set; }

    public LedgerTotals Totals { get; private set; }

    public RecordedRun? LastRun { get; private set; }

    /// <summary>
    /// What the mail source asked to remember between sessions (<see cref="Sources.IMailSession.SourceState"/>), as of a
    /// listing whose every message the ledger knows; null when there is none.
    /// </summary>
    public string? SourceState
    {
        get => _sourceState;
        init => _sourceState = value;
    }

    /// <summary>
    /// Entries of kept messages set aside by <c>mailingest reingest</c> (docs/recovery.md): their IDs no longer name
    /// anything on the server, but a message fetched again with the same raw SHA-256 is one of them, already stored under
    /// its old key. Kept until a run's listing is wholly known to the ledger.
    /// </summary>
    public IReadOnlyCollection<LedgerEntry> Renumbered
    {
        get
        {
            lock (_sync)
            {
                return [.. _renumbered.Values];
            }
        }

        init => _renumbered = value.Where(e => e.Sha256 is not null).ToDictionary(e => e.Sha256!, StringComparer.Ordinal);
    }

    /// <summary>Where the ledger was read from and appended to last; kept by <see cref="LedgerStore"/>.</summary>
    public LedgerPosition Position { get; set; } = LedgerPosition.New;

    /// <summary>IDs a run had in flight when it ended without landing them: it died while handling them.</summary>
    public IReadOnlySet<string> DiedInFlight { get; private set; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The ledger as loaded, with the IDs a run died handling.</summary>
    public MailboxLedger WithDiedInFlight(IReadOnlySet<string> ids)
    {
        DiedInFlight = ids;
        return this;
    }

    /// <summary>The ledger as loaded, with its outbox: the events waiting to be delivered and the dead letters (docs/events.md).</summary>
    public MailboxLedger WithOutbox(IEnumerable<PendingEvent> pending, IEnumerable<DeadLetter> dead)
    {
        lock (_sync)
        {
            foreach (var queued in pending)
            {
                _outbox[queued.Id] = queued;
            }

            foreach (var letter in dead)
            {
                _deadLetters[letter.Id] = letter;
            }
        }

        return this;
    }

    /// <summary>Events waiting to be delivered, oldest first.</summary>
    public IReadOnlyList<PendingEvent> PendingEvents()
    {
        lock (_sync)
        {
            return OldestFirst(_outbox.Values);
        }
    }

    /// <summary>
    /// Pending events whose journal line is written, oldest first: not those still waiting with their entries for the
    /// durability barrier, which a delivery during the run leaves for later (docs/events.md).
    /// </summary>
    public IReadOnlyList<PendingEvent> RecordedEvents()
    {
        lock (_sync)
        {
            return OldestFirst(_outbox.Values.Where(e => !_queued.ContainsKey(e.Id)));
        }
    }

    /// <summary>Events the sink refused for good, oldest first.</summary>
    public IReadOnlyList<DeadLetter> DeadLetters()
    {
        lock (_sync)
        {
            return [.. _deadLetters.Values.OrderBy(e => e.QueuedAt).ThenBy(e => e.Id, StringComparer.Ordinal)];
        }
    }

    private static List<PendingEvent> OldestFirst(IEnumerable<PendingEvent> events) =>
        [.. events.OrderBy(e => e.QueuedAt).ThenBy(e => e.Id, StringComparer.Ordinal)];

    /// <summary>Hands over the IDs a run died handling, once: the caller counts their attempts and lands them.</summary>
    public IReadOnlySet<string> TakeDiedInFlight()
    {
        var died = DiedInFlight;
        DiedInFlight = new HashSet<string>(StringComparer.Ordinal);
        return died;
    }

    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _entries.Count;
            }
        }
    }

    public static MailboxLedger Empty(string mailbox) => new(mailbox, [], null, new LedgerTotals(), null);

    public LedgerEntry? Find(string id)
    {
        lock (_sync)
        {
            return _entries.GetValueOrDefault(id);
        }
    }

    public IReadOnlyList<LedgerEntry> Entries()
    {
        lock (_sync)
        {
            return [.. _entries.Values];
        }
    }

    /// <summary>The IDs it holds an entry for.</summary>
    public IReadOnlyList<string> Ids()
    {
        lock (_sync)
        {
            return [.. _entries.Keys];
        }
    }

    /// <summary>Adds or replaces an entry.</summary>
    public void Put(LedgerEntry entry)
    {
        lock (_sync)
        {
            _entries[entry.Id] = entry;
            _removed.Remove(entry.Id);
            // A kept message's entry allows its deletion, so it is written only behind a durability barrier (LedgerStore).
            (entry.IsKept ? _kept : _put)[entry.Id] = entry;
            (entry.IsKept ? _put : _kept).Remove(entry.Id);
        }
    }

    /// <summary>
    /// Adds or replaces an entry together with the event about it: both wait for the durability barrier and go in one
    /// journal line, so that no crash leaves the entry without its event.
    /// </summary>
    public void Put(LedgerEntry entry, PendingEvent queued)
    {
        lock (_sync)
        {
            _entries[entry.Id] = entry;
            _removed.Remove(entry.Id);
            _kept[entry.Id] = entry;
            _put.Remove(entry.Id);
            QueueLocked(queued);
        }
    }

    /// <summary>Queues an event again (<c>mailingest events resend</c>): a dead letter goes back to the outbox, behind the barrier.</summary>
    public void Queue(PendingEvent queued)
    {
        lock (_sync)
        {
            QueueLocked(queued);
        }
    }

    private void QueueLocked(PendingEvent queued)
    {
        _outbox[queued.Id] = queued;
        _queued[queued.Id] = queued;
        _deadLetters.Remove(queued.Id);
    }

    /// <summary>Notes that the events <paramref name="ids"/> were delivered: they leave the outbox.</summary>
    public void Delivered(IEnumerable<string> ids)
    {
        lock (_sync)
        {
            foreach (var id in ids)
            {
                _outbox.Remove(id);
                _queued.Remove(id);
                _delivered.Add(id);
            }
        }
    }

    /// <summary>Notes that the sink refused these events for good: they stay in the outbox as dead letters.</summary>
    public void DeadLettered(IEnumerable<DeadLetter> letters)
    {
        lock (_sync)
        {
            foreach (var letter in letters)
            {
                _outbox.Remove(letter.Id);
                _queued.Remove(letter.Id);
                _deadLetters[letter.Id] = letter;
                _died[letter.Id] = letter;
            }
        }
    }

    /// <summary>Sets the newest ingested ID in server order.</summary>
    public void SetHighWaterMark(string id)
    {
        lock (_sync)
        {
            HighWaterMark = id;
        }
    }

    /// <summary>Forgets entries: their messages left the server, or <c>mailingest retry</c> cleared them.</summary>
    public void Remove(IEnumerable<string> ids)
    {
        lock (_sync)
        {
            RemoveLocked(ids);
        }
    }

    /// <summary>Forgets the entries of messages no longer on the server, so the ledger stays as small as the mailbox.</summary>
    /// <returns>How many were forgotten.</returns>
    public int Prune(Func<string, bool> onServer)
    {
        lock (_sync)
        {
            var gone = _entries.Keys.Where(id => !onServer(id)).ToList();
            RemoveLocked(gone);
            return gone.Count;
        }
    }

    /// <summary>
    /// <c>mailingest reingest</c>: forgets the entries of messages no longer listed, keeping those of kept messages (by
    /// their raw SHA-256) so that the runs after it can recognise them; written as one journal line with the removal.
    /// </summary>
    /// <returns>How many entries were kept to match against.</returns>
    public int SetAside(Func<string, bool> onServer)
    {
        lock (_sync)
        {
            var gone = _entries.Values.Where(e => !onServer(e.Id)).ToList();
            foreach (var entry in gone.Where(e => e.IsKept && e.Sha256 is not null))
            {
                _renumbered[entry.Sha256!] = entry;
            }

            RemoveLocked(gone.Select(e => e.Id));
            _renumberedChanged = true;
            _renumberedByMessageId = null;
            return _renumbered.Count;
        }
    }

    /// <summary>The set-aside entry of a message with this raw SHA-256, or null.</summary>
    public LedgerEntry? FindRenumbered(string sha256)
    {
        lock (_sync)
        {
            return _renumbered.GetValueOrDefault(sha256);
        }
    }

    /// <summary>
    /// The one set-aside entry whose stored message has this Message-ID, or null when none has it, or several do (then
    /// the Message-ID tells nothing apart).
    /// </summary>
    public LedgerEntry? FindRenumberedByMessageId(string messageId)
    {
        lock (_sync)
        {
            _renumberedByMessageId ??= _renumbered.Values
                .Where(e => e.MessageId is not null)
                .GroupBy(e => e.MessageId!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count() == 1 ? g.First() : null, StringComparer.Ordinal);
            return _renumberedByMessageId.GetValueOrDefault(messageId);
        }
    }

    /// <summary>Whether entries are set aside: a re-ingest is under way.</summary>
    public bool HasRenumbered
    {
        get
        {
            lock (_sync)
            {
                return _renumbered.Count > 0;
            }
        }
    }

    /// <summary>Replaces a set-aside entry by the same with its stored message's Message-ID and raw path (<see cref="FindRenumberedByMessageId"/>).</summary>
    public void DescribeRenumbered(LedgerEntry described)
    {
        ArgumentNullException.ThrowIfNull(described);
        lock (_sync)
        {
            _renumbered[described.Sha256!] = described;
            _renumberedByMessageId = null;
            _renumberedChanged = true;
        }
    }

    /// <summary>Forgets the set-aside entries: the re-ingest is done.</summary>
    public void EndRenumbered()
    {
        lock (_sync)
        {
            _renumberedChanged |= _renumbered.Count > 0;
            _renumbered.Clear();
            _renumberedByMessageId = null;
        }
    }

    private void RemoveLocked(IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            if (_entries.Remove(id))
            {
                _removed.Add(id);
            }

            _put.Remove(id);
            _kept.Remove(id);
        }
    }

    /// <summary>Notes that retrieval of <paramref name="ids"/> starts, so that a run dying while handling them is known to the next.</summary>
    public void TakeOff(IEnumerable<string> ids)
    {
        lock (_sync)
        {
            _inFlight.UnionWith(ids);
        }
    }

    /// <summary>Notes that retrieval of <paramref name="ids"/> ended, however it ended.</summary>
    public void Land(IEnumerable<string> ids)
    {
        lock (_sync)
        {
            foreach (var id in ids)
            {
                if (!_inFlight.Remove(id))
                {
                    _landed.Add(id);
                }
            }
        }
    }

    /// <summary>
    /// Sets the source's state to remember; null forgets it, as <c>mailingest retry</c> must when it clears entries of
    /// messages still on the server, which a remembered state would otherwise let the source leave unlisted.
    /// </summary>
    public void SetSourceState(string? state)
    {
        lock (_sync)
        {
            _sourceStateChanged |= state != _sourceState;
            _sourceState = state;
        }
    }

    public void Record(LedgerTotals totals, RecordedRun? lastRun)
    {
        lock (_sync)
        {
            Totals = totals;
            LastRun = lastRun ?? LastRun;
            _runChanged = true;
        }
    }

    /// <summary>Whether changes wait to be written.</summary>
    public bool HasChanges
    {
        get
        {
            lock (_sync)
            {
                return _put.Count + _kept.Count + _removed.Count + _inFlight.Count + _landed.Count + _queued.Count + _delivered.Count + _died.Count > 0
                    || _runChanged || _sourceStateChanged || _renumberedChanged;
            }
        }
    }

    /// <summary>
    /// The changes waiting to be written, as one journal line, and whether it holds entries of kept messages (which must
    /// not become durable before the messages' objects). Without <paramref name="includeKept"/> those stay waiting.
    /// </summary>
    public (LedgerChange Change, bool HasKept) TakeChanges(bool includeKept)
    {
        lock (_sync)
        {
            // Queued events wait for the barrier like kept entries: the objects they point at must be durable first.
            var hasKept = includeKept && _kept.Count + _queued.Count > 0;
            // The source's state says the ledger knows every message it listed: never written ahead of entries still waiting.
            var sourceState = _sourceStateChanged && (includeKept || _kept.Count == 0);
            // Set-aside entries go out with the removal of their IDs; forgetting them waits, as the source's state does,
            // until the entries recorded in their place are written.
            var renumbered = _renumberedChanged && (_renumbered.Count > 0 || includeKept || _kept.Count == 0);
            IEnumerable<LedgerEntry> put = hasKept ? [.. _put.Values, .. _kept.Values] : _put.Values;
            var change = new LedgerChange
            {
                Put = NullIfEmpty([.. put]),
                Remove = NullIfEmpty([.. _removed]),
                InFlight = NullIfEmpty([.. _inFlight]),
                Landed = NullIfEmpty([.. _landed]),
                HighWaterMark = hasKept || _runChanged ? HighWaterMark : null,
                Totals = _runChanged ? Totals : null,
                LastRun = _runChanged ? LastRun : null,
                Queued = hasKept ? NullIfEmpty([.. _queued.Values]) : null,
                Delivered = NullIfEmpty([.. _delivered]),
                Dead = NullIfEmpty([.. _died.Values]),
                SourceState = sourceState ? SourceState ?? "" : null,
                Renumbered = renumbered ? [.. _renumbered.Values] : null,
            };
            _delivered.Clear();
            _died.Clear();
            _put.Clear();
            _removed.Clear();
            _landed.Clear();
            // In-flight IDs are written once; they stay in flight until landed.
            _inFlight.Clear();
            if (hasKept)
            {
                _kept.Clear();
                _queued.Clear();
            }

            _runChanged = false;
            _sourceStateChanged &= !sourceState;
            _renumberedChanged &= !renumbered;
            return (change, hasKept);
        }
    }

    /// <summary>Puts back changes that could not be written, so that the next write carries them.</summary>
    public void Restore(LedgerChange change)
    {
        lock (_sync)
        {
            // A line with queued events was written behind the barrier: all its entries wait for the next one again.
            var gated = change.Queued is { Count: > 0 };
            foreach (var entry in change.Put ?? [])
            {
                if (!_put.ContainsKey(entry.Id) && !_kept.ContainsKey(entry.Id) && _entries.GetValueOrDefault(entry.Id) == entry)
                {
                    (entry.IsKept || gated ? _kept : _put)[entry.Id] = entry;
                }
            }

            foreach (var queued in change.Queued ?? [])
            {
                if (_outbox.GetValueOrDefault(queued.Id) == queued)
                {
                    _queued.TryAdd(queued.Id, queued);
                }
            }

            _delivered.UnionWith(change.Delivered ?? []);
            foreach (var letter in change.Dead ?? [])
            {
                _died.TryAdd(letter.Id, letter);
            }

            _removed.UnionWith((change.Remove ?? []).Where(id => !_entries.ContainsKey(id)));
            _inFlight.UnionWith(change.InFlight ?? []);
            _landed.UnionWith(change.Landed ?? []);
            _runChanged |= change.Totals is not null || change.LastRun is not null;
            _sourceStateChanged |= change.SourceState is not null;
            _renumberedChanged |= change.Renumbered is not null;
        }
    }

    public LedgerSnapshot ToSnapshot(int journal)
    {
        lock (_sync)
        {
            return new LedgerSnapshot(
                LedgerSnapshot.CurrentSchemaVersion, Mailbox, journal, HighWaterMark, [.. _entries.Values], Totals, LastRun, SourceState: SourceState,
                Renumbered: NullIfEmpty([.. _renumbered.Values]))
            {
                Outbox = NullIfEmpty([.. _outbox.Values]),
                DeadLetters = NullIfEmpty([.. _deadLetters.Values]),
            };
        }
    }

    private static List<T>? NullIfEmpty<T>(List<T> items) => items.Count == 0 ? null : items;
}

/// <summary>Where a ledger is in the archive: its snapshot's version and generation, and how long its journal is.</summary>
/// <param name="SnapshotVersion">The snapshot's archive version, or null when there is none yet.</param>
/// <param name="SnapshotBytes">The snapshot's size.</param>
/// <param name="Journal">The journal's generation.</param>
/// <param name="JournalBytes">The journal's length: where the next line is appended.</param>
/// <param name="NeedsCompaction">
/// The journal must be folded into a new snapshot before anything is appended: it ends in a line a killed writer left
/// half-written, or the snapshot is of an older schema.
/// </param>
internal sealed record LedgerPosition(string? SnapshotVersion, long SnapshotBytes, int Journal, long JournalBytes, bool NeedsCompaction)
{
    public static LedgerPosition New { get; } = new(null, 0, 0, 0, false);

    /// <summary>Whether the ledger was ever written.</summary>
    public bool Exists => SnapshotVersion is not null || JournalBytes > 0;
}
