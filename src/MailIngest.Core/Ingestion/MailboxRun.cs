using System.Text.Json;
using MailIngest.Archive;
using MailIngest.Configuration;
using MailIngest.Events;
using MailIngest.IO;
using MailIngest.Ledger;
using MailIngest.Sources;

namespace MailIngest.Ingestion;

/// <summary>
/// One run of one mailbox: its settings, ledger, lock and counters, and the steps a session takes (docs/architecture.md):
/// <see cref="ListAndPlanAsync">list and plan</see>, <see cref="IngestAsync">record, fetch and store, delete and commit</see>,
/// and at the end <see cref="FinishAsync">record the run</see>. A run may take several sessions (a reconnect after a
/// transient failure); each lists afresh and resumes from what the ledger holds.
/// </summary>
internal sealed class MailboxRun(RunServices services, MailboxOptions options, MailboxLedger ledger, RunCounters counters, RunGuard guard)
{
    /// <summary>
    /// Spooled bytes waiting to be stored after which no new window starts: with the window in hand (at most the
    /// session's <see cref="RetrievalWindow.Bytes"/>, or one larger message) this bounds the spool folder of a mailbox's run.
    /// </summary>
    private const long SpoolBudget = 64 * 1024 * 1024;

    /// <summary>The longest header block kept for a message recorded without its bytes.</summary>
    private const int MaxRecordedHeaderBytes = 64 * 1024;

    private readonly RunEventDelivery _events = new(services, ledger, guard.Stopping);

    private int _sessions;

    public string Mailbox => ledger.Mailbox;

    public MailboxOptions Options => options;

    public MailboxLedger Ledger => ledger;

    public RunCounters Counters => counters;

    /// <summary>Whether the run has lost its mailbox lock: whatever failed after that, the loss is the cause to report.</summary>
    public bool LockLost => guard.Lock is { IsHeld: false };

    /// <summary>
    /// Lists the mailbox and plans what to do. The first session of a run checks the UIDL guard (POP3; an IMAP session
    /// checks each folder's UIDVALIDITY itself); every session forgets ledger entries whose messages left the server,
    /// unless <paramref name="readOnly"/> (<c>mailingest plan</c>).
    /// </summary>
    /// <exception cref="UidlsChangedException">The guard tripped.</exception>
    public async Task<RunPlan> ListAndPlanAsync(IMailSession session, bool readOnly, CancellationToken cancellationToken)
    {
        var listing = new MessageListing(await session.ListAsync(ListingRequest(acceptReset: false), cancellationToken));
        var firstSession = _sessions++ == 0;
        if (firstSession && options.UidlGuard && options.Protocol == MailProtocol.Pop3)
        {
            var listed = listing.Distinct;
            var stillListed = listed.Count(id => ledger.Find(id) is not null);
            UidlGuard.Default.Check(Mailbox, ledger.Count, stillListed, listed.Count - stillListed);
        }

        if (!readOnly)
        {
            ledger.Prune(listing.Lists);
            CountDeaths();
        }

        foreach (var (id, copies) in listing.Duplicates)
        {
            Log.DuplicateUidl(services.Logger, Mailbox, id, copies);
        }

        var needed = RunPlan.NeedsSizes(listing, ledger, options);
        var sizes = needed.Count > 0 ? await session.GetSizesAsync(needed, cancellationToken) : null;
        var plan = RunPlan.Create(listing, ledger, sizes, options, counters);
        if (firstSession)
        {
            counters.New = plan.New;
        }

        counters.Remaining = plan.Later;
        Log.Planned(services.Logger, Mailbox, listing.Count, plan.New, plan.Fetch.Count, plan.FetchBytes);
        if (plan.Budget is { } budget)
        {
            Log.BudgetReached(services.Logger, Mailbox, budget, plan.Later);
        }

        return plan;
    }

    /// <summary>
    /// Messages an earlier run died handling (killed, out of memory) each get an attempt counted, written before they are
    /// fetched again, so that a message that keeps killing the run is given up after MaxAttempts deaths.
    /// </summary>
    private void CountDeaths()
    {
        var died = ledger.TakeDiedInFlight();
        foreach (var id in died)
        {
            var entry = ledger.Find(id);
            if (entry is null or { State: EntryState.Retrying })
            {
                ledger.Put(new LedgerEntry(id, EntryState.Retrying)
                {
                    Size = entry?.Size,
                    Attempts = (entry?.Attempts ?? 0) + 1,
                    Error = "the run handling it died (killed, or out of memory)",
                });
            }
        }

        ledger.Land(died);
    }

    /// <summary>The rest of a session: record what is not fetched, fetch and store, make the ledger durable, delete what is kept, commit.</summary>
    public async Task IngestAsync(IMailSession session, RunPlan plan, CancellationToken cancellationToken)
    {
        await RecordUnfetchedAsync(session, plan, cancellationToken);
        var storedHere = await FetchAndStoreAsync(session, plan, cancellationToken);
        await DeleteAndCommitAsync(session, plan, storedHere, cancellationToken);
    }

    /// <summary>
    /// <c>mailingest adopt</c>'s session: every listed message the ledger does not know is recorded as seen, with its
    /// size; an IMAP folder the server renumbered (a new UIDVALIDITY) is accepted as it is now.
    /// </summary>
    public async Task AdoptAsync(IMailSession session, CancellationToken cancellationToken)
    {
        var listing = new MessageListing(await session.ListAsync(ListingRequest(acceptReset: true), cancellationToken));
        ledger.Prune(listing.Lists);
        var unknown = Enumerable.Range(0, listing.Count).Where(p => ledger.Find(listing[p]) is null).ToList();
        if (unknown.Count > 0)
        {
            // Sizes let a later run notice a reused ID: an adopted ID listed with another size is another message.
            var sizes = await session.GetSizesAsync(unknown, cancellationToken);
            foreach (var position in unknown)
            {
                ledger.Put(new LedgerEntry(listing[position], EntryState.Seen) { Size = sizes[position] });
            }
        }

        counters.Adopted = (counters.Adopted ?? 0) + unknown.Count;
        await AppendAsync(durable: false, cancellationToken);
        Log.Adopted(services.Logger, Mailbox, counters.Adopted.Value, ledger.Count);
        await session.CommitAsync(cancellationToken);
        if (RememberSourceState(session, listing, removed: []))
        {
            await AppendAsync(durable: false, cancellationToken);
        }
    }

    /// <summary>
    /// <c>mailingest reingest</c>'s session: lists accepting a renumbered folder, and sets aside the entries of the
    /// messages no longer listed (their old IDs), so that the next run fetches what is listed now and records a message
    /// whose raw SHA-256 one of them holds under that entry's key instead of storing it again (docs/recovery.md).
    /// </summary>
    public async Task SetAsideAsync(IMailSession session, CancellationToken cancellationToken)
    {
        var listing = new MessageListing(await session.ListAsync(ListingRequest(acceptReset: true), cancellationToken));
        counters.SetAside = ledger.SetAside(listing.Lists);
        await DescribeSetAsideAsync(cancellationToken);
        // The renumbered folders are listed in full by the next run, whatever the source remembered of them.
        ledger.SetSourceState(null);
        await AppendAsync(durable: true, cancellationToken);
        Log.SetAside(services.Logger, Mailbox, counters.SetAside.Value, ledger.Count);
        await session.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Notes the Message-ID and raw path of each set-aside stored message, from its manifest, so that a copy the server
    /// gave back with its header rewritten is recognised as well (docs/recovery.md). Lists the mailbox's message folders
    /// once: a re-ingest is a recovery, not a poll.
    /// </summary>
    private async Task DescribeSetAsideAsync(CancellationToken cancellationToken)
    {
        var byKey = ledger.Renumbered
            .Where(e => e.State == EntryState.Stored)
            .ToDictionary(e => e.Key ?? ArchiveLayout.MessageKey(Mailbox, e.Id), StringComparer.Ordinal);
        await foreach (var path in services.Archive.ListAsync(ArchiveLayout.MessagesPrefix(Mailbox), cancellationToken))
        {
            if (ArchiveLayout.StoredFolderOf(Mailbox, path) is not { } folder || !byKey.TryGetValue(folder.Key, out var entry))
            {
                continue;
            }

            try
            {
                if (await ArchiveJson.ReadManifestAsync(services.Archive, folder.Path, cancellationToken) is { MessageId: { } messageId } stored
                    && stored.Raw.Sha256 == entry.Sha256)
                {
                    ledger.DescribeRenumbered(entry with { MessageId = messageId, RawPath = $"{folder.Path}/{stored.Raw.Path}" });
                }
            }
            catch (JsonException)
            {
                // A manifest that cannot be read names no Message-ID: the message is still matched by its SHA-256.
            }
        }
    }

    /// <summary>What the ledger remembers of the source, for a session's listing.</summary>
    private ListingRequest ListingRequest(bool acceptReset) =>
        new(ledger.SourceState, ledger.Ids(), acceptReset);

    /// <summary>
    /// After a session's commit, stores the source's state (IMAP: each folder's UIDVALIDITY, UIDNEXT and count), which
    /// lets the next session skip listing what has not changed, but only when the ledger knows every message the listing
    /// named (or forgot it because this session deleted it): otherwise the state is forgotten, so that nothing listed but
    /// unknown (left for a later run by the budgets, cut short) can be skipped. The same completeness ends a re-ingest
    /// (<see cref="SetAsideAsync"/>). True when the ledger changed.
    /// </summary>
    private bool RememberSourceState(IMailSession session, MessageListing listing, IReadOnlyCollection<string> removed)
    {
        var complete = listing.Distinct.All(id => ledger.Find(id) is not null || removed.Contains(id));
        var reingestDone = complete && ledger.Renumbered.Count > 0 && !ledger.Entries().Any(e => e.State == EntryState.Retrying);
        if (reingestDone)
        {
            // Every listed message is recorded and none waits to be fetched again: none can match a set-aside entry now.
            Log.ReingestDone(services.Logger, Mailbox, ledger.Renumbered.Count);
            ledger.EndRenumbered();
        }

        var state = complete ? session.SourceState : null;
        if (state == ledger.SourceState)
        {
            return reingestDone;
        }

        ledger.SetSourceState(state);
        return true;
    }

    /// <summary>
    /// Delivers the events the deliveries during the run left (docs/events.md), records how the run ended in the ledger,
    /// for <c>mailingest status</c>, and folds the journal when it has grown.
    /// </summary>
    public async Task FinishAsync(RunOutcome outcome, string? error, CancellationToken cancellationToken)
    {
        counters.Events = await _events.FinishAsync(deliverRest: !LockLost) ?? counters.Events;

        ledger.Record(counters.Totals, counters.ToRecord(outcome, error));
        await AppendAsync(durable: outcome == RunOutcome.Failed, cancellationToken);
        await services.Ledgers.CompactIfDueAsync(ledger, cancellationToken);
    }

    /// <summary>
    /// Messages too large to fetch, and messages out of attempts, are recorded without their bytes (with their headers
    /// when the server gives them), so the messages behind them are never held up and an operator can see and retry them.
    /// </summary>
    private async Task RecordUnfetchedAsync(IMailSession session, RunPlan plan, CancellationToken cancellationToken)
    {
        var sizes = plan.Sizes;
        foreach (var unfetched in plan.Record)
        {
            var id = plan.Listing[unfetched.Position];
            var headers = await ReadHeadersAsync(session, unfetched.Position, cancellationToken);
            var reason = unfetched.State == EntryState.Skipped ? QuarantineReason.TooLarge : QuarantineReason.Unprocessable;
            var error = unfetched.State == EntryState.Skipped
                ? $"{unfetched.Error}; raise MaxMessageSize (and the memory or temp space it needs) and run 'mailingest retry --mailbox {Mailbox} {id}'"
                : $"gave up after {unfetched.Attempts} attempts (MaxAttempts): {unfetched.Error ?? "the run handling it died"}; " +
                  $"run 'mailingest retry --mailbox {Mailbox} {id}' once its cause is fixed";
            var message = new UnfetchedMessage(reason, error, sizes?[unfetched.Position], unfetched.Attempts, headers);
            var key = await services.Archiver.RecordUnfetchedAsync(Mailbox, id, message, cancellationToken);
            var entry = new LedgerEntry(id, unfetched.State)
            {
                Size = sizes?[unfetched.Position],
                Attempts = unfetched.Attempts,
                Error = error,
                Key = ArchiveLayout.KeyUnlessDefault(Mailbox, id, key),
            };
            Put(entry, () => EventFacts.Unfetched(Mailbox, id, key, message, services.Time.GetUtcNow()));
            counters.CountUnfetched(unfetched.State);
        }
    }

    /// <summary>The header block, or null when the server will not give it (it is only a help to the operator).</summary>
    private static async Task<string?> ReadHeadersAsync(IMailSession session, int position, CancellationToken cancellationToken)
    {
        try
        {
            return await session.ReadHeaderAsync(position, MaxRecordedHeaderBytes, cancellationToken);
        }
        catch (MailServerException e) when (e.Failure == MailServerFailure.Permanent)
        {
            return null;
        }
    }

    /// <summary>
    /// Fetches the plan window by window. Before a window's retrieval starts its messages are recorded as in flight, so
    /// a run that dies while handling one (killed, out of memory) still counts an attempt for it; each message is
    /// spooled as it arrives and stored by the pipeline's workers while the next are retrieved.
    /// </summary>
    /// <returns>The positions stored (or quarantined) in this session.</returns>
    private async Task<HashSet<int>> FetchAndStoreAsync(IMailSession session, RunPlan plan, CancellationToken cancellationToken)
    {
        var sizes = plan.Sizes;
        var storedHere = new HashSet<int>();
        if (plan.Fetch.Count == 0)
        {
            return storedHere;
        }

        services.Progress.Planned(Mailbox, plan.Fetch.Count, plan.FetchBytes);
        var spool = Path.Combine(services.Archive.SpoolFolder, Mailbox);
        CreatePrivateFolder(spool);

        // Copies of an ID listed twice may share a key, so they must not be stored at the same time.
        var parallelism = plan.Fetch.Any(p => plan.Listing.Copies(plan.Listing[p]) > 1) ? 1 : services.Archive.StoresAtOnce;
        using var deadline = RunDeadline.Start(options, counters, services.Time);
        var inFlight = new HashSet<int>();
        var sync = new Lock();
        await using var pipeline = new StorePipeline(
            spool,
            parallelism,
            async (position, raw, ct) =>
            {
                var stored = await StoreAsync(plan, position, raw, sizes?[position], ct);
                lock (sync)
                {
                    inFlight.Remove(position);
                    if (stored)
                    {
                        storedHere.Add(position);
                    }
                }

                deadline.MessageStored();
            },
            (position, reason, ct) =>
            {
                lock (sync)
                {
                    inFlight.Remove(position);
                }

                RecordOwnFailure(plan, position, sizes?[position], $"the server refused to send it: {reason}");
                return Task.CompletedTask;
            },
            cancellationToken);
        using var fetching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, pipeline.Failed, deadline.Token);
        var next = 0;
        try
        {
            while (next < plan.Fetch.Count)
            {
                // The time budget, like the byte budget, never stops a run before its first window: every run makes progress.
                var outOfTime = next > 0 && options.MaxRunTime > TimeSpan.Zero && counters.Elapsed >= options.MaxRunTime;
                if (outOfTime || guard.StopRequested)
                {
                    counters.Remaining += plan.Fetch.Count - next;
                    LogCutShort(outOfTime, counters.Remaining);
                    break;
                }

                await pipeline.WaitForRoomAsync(SpoolBudget, fetching.Token);
                var window = NextWindow(plan, next, sizes, session.Window);
                next += window.Count;
                lock (sync)
                {
                    inFlight.UnionWith(window);
                }

                ledger.TakeOff(window.Select(p => plan.Listing[p]));
                await AppendAsync(durable: FlushDue, cancellationToken);
                foreach (var position in window)
                {
                    services.Observer.OnStep(Mailbox, IngestStep.Retrieving, plan.Listing[position]);
                }

                await session.RetrieveAsync(window, pipeline, fetching.Token);
                if (plan.Attempts.ContainsKey(window[0]))
                {
                    // A suspect is stored before the next message takes off: if it kills the run again, it dies alone.
                    await pipeline.WaitUntilIdleAsync().WaitAsync(fetching.Token);
                }
            }

            await pipeline.DrainAsync();
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Messages that arrived whole are stored whatever ended the retrieval; a failed store is what the run reports.
            await pipeline.DrainAsync();
            if (deadline.Token.IsCancellationRequested)
            {
                // MaxRunTime ran out inside a retrieval: the rest waits for the next run. The session's connection was cut
                // mid-answer, so it cannot delete or commit.
                counters.Remaining += plan.Fetch.Count - storedHere.Count;
                LogCutShort(outOfTime: true, counters.Remaining);
                throw new RunCutShortException();
            }

            throw;
        }
        finally
        {
            // Whatever did not land was cut off by a lost connection or a failed store: not the messages' fault.
            lock (sync)
            {
                ledger.Land(inFlight.Select(p => plan.Listing[p]));
            }
        }

        if (storedHere.Count > 0)
        {
            ledger.SetHighWaterMark(plan.Listing[storedHere.Max()]);
        }

        return storedHere;
    }

    /// <summary>Stores one spooled message and records it; false when it failed by its own fault (recorded for a retry).</summary>
    private async Task<bool> StoreAsync(RunPlan plan, int position, SpooledMessage raw, long? listedSize, CancellationToken cancellationToken)
    {
        var id = plan.Listing[position];
        if ((ledger.FindRenumbered(raw.Sha256) ?? await FindRewrittenCopyAsync(raw, cancellationToken)) is { } renumbered)
        {
            RecordAsBefore(plan, position, raw, renumbered, listedSize);
            return true;
        }

        StoredMessage stored;
        try
        {
            stored = await services.Archiver.StoreAsync(
                Mailbox, plan.Listing.Messages[position], raw, RetrievalWarningsFor(plan.Listing, position, listedSize, raw.Size), cancellationToken);
        }
        catch (Exception e) when (e is OutOfMemoryException or InsufficientExecutionStackException)
        {
            // The message is more than this process can handle: count it, and go on with the next.
            RecordOwnFailure(plan, position, listedSize, $"{e.GetType().Name} while storing it ({raw.Size} bytes): {e.Message}");
            return false;
        }

        // An ID listed twice is recorded once its last copy is stored, so a reconnect in between fetches the rest.
        if (plan.Listing.IsLastCopy(position))
        {
            var entry = new LedgerEntry(id, stored.Quarantined ? EntryState.Quarantined : EntryState.Stored)
            {
                Size = listedSize,
                Sha256 = stored.Sha256,
                Key = ArchiveLayout.KeyUnlessDefault(Mailbox, id, stored.Key),
            };

            // A kept message fetched again to be verified (the same bytes) had its event when it was first recorded.
            var known = ledger.Find(id) is { IsKept: true } before && before.Sha256 == stored.Sha256;
            Put(entry, known ? null : () => EventFacts.Of(Mailbox, id, stored, services.Time.GetUtcNow()));
        }

        ledger.Land([id]);

        counters.Count(stored);
        services.Progress.Stored(Mailbox, stored.Size);
        Log.MessageStored(services.Logger, Mailbox, id, stored.Folder);
        return true;
    }

    /// <summary>
    /// During a re-ingest, the set-aside entry of a message stored before the renumbering of which this one is a copy with
    /// its header rewritten: the only one with its Message-ID, whose stored raw message has the same body (docs/recovery.md).
    /// </summary>
    private async Task<LedgerEntry?> FindRewrittenCopyAsync(SpooledMessage raw, CancellationToken cancellationToken)
    {
        if (!ledger.HasRenumbered)
        {
            return null;
        }

        await using var message = raw.OpenRead();
        if (RewrittenCopy.MessageId(message) is not { } messageId
            || ledger.FindRenumberedByMessageId(messageId) is not { RawPath: { } rawPath } candidate)
        {
            return null;
        }

        // The header's parser read ahead: the body is hashed from the start again.
        message.Position = 0;
        var body = await RewrittenCopy.BodySha256Async(message, cancellationToken);
        await using var stored = await services.Archive.OpenReadAsync(rawPath, cancellationToken);
        return body is not null && stored is not null && await RewrittenCopy.BodySha256Async(stored, cancellationToken) == body ? candidate : null;
    }

    /// <summary>
    /// Records a message's entry, with the event about it when a sink is configured: both go into one journal line,
    /// behind the durability barrier (docs/events.md).
    /// </summary>
    private void Put(LedgerEntry entry, Func<MessageEventFacts>? facts)
    {
        if (facts is null || !services.Events.Enabled)
        {
            ledger.Put(entry);
            return;
        }

        ledger.Put(entry, services.Events.Prepare(facts()));
    }

    /// <summary>
    /// A message fetched again after <c>mailingest reingest</c> whose bytes are those of a message stored before the
    /// renumbering: recorded in the state and under the key of its old entry, nothing stored a second time.
    /// </summary>
    private void RecordAsBefore(RunPlan plan, int position, SpooledMessage raw, LedgerEntry before, long? listedSize)
    {
        var id = plan.Listing[position];
        var key = before.Key ?? ArchiveLayout.MessageKey(Mailbox, before.Id);
        raw.Discard();
        if (plan.Listing.IsLastCopy(position))
        {
            ledger.Put(new LedgerEntry(id, before.State)
            {
                Size = listedSize,
                Sha256 = before.Sha256,
                Key = ArchiveLayout.KeyUnlessDefault(Mailbox, id, key),
            });
        }

        ledger.Land([id]);
        counters.CountMatched();
        Log.MessageMatched(services.Logger, Mailbox, id, before.Id);
    }

    /// <summary>A failure that belongs to the message: one more attempt counted; out of attempts, the next run records it as unprocessable.</summary>
    private void RecordOwnFailure(RunPlan plan, int position, long? listedSize, string error)
    {
        var id = plan.Listing[position];
        var attempts = plan.Attempts.GetValueOrDefault(position) + 1;
        ledger.Put(new LedgerEntry(id, EntryState.Retrying) { Size = listedSize, Attempts = attempts, Error = error });
        ledger.Land([id]);
        Log.MessageFailed(services.Logger, Mailbox, id, attempts, options.MaxAttempts, error);
    }

    /// <summary>
    /// Makes the ledger durable, then marks the messages stored here read (MarkSeen), deletes (DeleteAfterIngest) or
    /// moves (MoveToFolder) the kept messages it names, and QUITs. Each entry is marked as being deleted before its DELE,
    /// and forgotten once the server acknowledged QUIT, before any later run can list the server again: an ID the server
    /// reuses afterwards is then simply new.
    /// </summary>
    private async Task DeleteAndCommitAsync(IMailSession session, RunPlan plan, HashSet<int> storedHere, CancellationToken cancellationToken)
    {
        var deletable = options.RemovesIngested ? Deletable(plan, storedHere) : [];
        var ids = deletable.Select(p => plan.Listing[p]).Distinct().ToList();
        foreach (var id in ids)
        {
            ledger.Put(ledger.Find(id)! with { Deleting = true });
        }

        await AppendAsync(durable: true, cancellationToken);
        var seen = options.MarkSeen ? storedHere.Where(p => ledger.Find(plan.Listing[p]) is { IsKept: true }).Order().ToList() : [];
        if (seen.Count > 0)
        {
            await session.MarkSeenAsync(seen, cancellationToken);
        }

        if (deletable.Count > 0)
        {
            guard.ThrowIfLockLost(Mailbox);
            Log.Deleting(services.Logger, Mailbox, deletable.Count);
            await session.DeleteAsync(deletable, cancellationToken);
        }

        services.Observer.OnStep(Mailbox, IngestStep.Committing, null);
        guard.ThrowIfLockLost(Mailbox);
        await session.CommitAsync(cancellationToken);
        if (deletable.Count > 0)
        {
            services.Observer.OnStep(Mailbox, IngestStep.Committed, null);
            counters.CountDeleted(deletable.Count);
            ledger.Remove(ids);
        }

        if (RememberSourceState(session, plan.Listing, ids) || deletable.Count > 0)
        {
            await AppendAsync(durable: false, cancellationToken);
        }
    }

    /// <summary>
    /// Kept messages the ledger holds, including those an earlier run (or session) stored but did not delete. An ID the
    /// server lists more than once is deleted only when every copy was stored in this session: the ledger cannot say
    /// which copy an earlier session stored.
    /// </summary>
    private List<int> Deletable(RunPlan plan, HashSet<int> storedHere)
    {
        var deletable = new List<int>(plan.Deletable);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var position in storedHere.Order())
        {
            var id = plan.Listing[position];
            if (ledger.Find(id) is not { IsKept: true })
            {
                continue;
            }

            if (plan.Listing.CopiesOf(position).All(storedHere.Contains))
            {
                deletable.Add(position);
            }
            else if (kept.Add(id))
            {
                Log.DuplicateKept(services.Logger, Mailbox, id, plan.Listing.Copies(id));
            }
        }

        deletable.Sort();
        return deletable;
    }

    private bool FlushDue => counters.SinceFlush >= options.LedgerFlushEvery || counters.SinceFlushTime >= options.LedgerFlushInterval;

    /// <summary>
    /// Writes the ledger's waiting changes. <paramref name="durable"/> also writes the entries of stored messages (after
    /// their objects are made durable) and makes the ledger durable; otherwise those wait, and only in-flight marks,
    /// retries and the like are written, which cost no disk flush.
    /// </summary>
    private async Task AppendAsync(bool durable, CancellationToken cancellationToken)
    {
        guard.ThrowIfLockLost(Mailbox);
        if (durable)
        {
            services.Observer.OnStep(Mailbox, IngestStep.LedgerFlushing, null);
            await services.Ledgers.MakeDurableAsync(ledger, cancellationToken);
            counters.Flushed();
            Log.LedgerFlushed(services.Logger, Mailbox, ledger.Count);
            _events.Start();
        }
        else
        {
            await services.Ledgers.AppendAsync(ledger, includeKept: false, cancellationToken);
        }
    }

    /// <summary>The next messages to request together; one that failed before goes alone, so it cannot take others down with it.</summary>
    private static List<int> NextWindow(RunPlan plan, int start, IReadOnlyList<long?>? sizes, RetrievalWindow limits)
    {
        var window = new List<int>();
        long bytes = 0;
        for (var i = start; i < plan.Fetch.Count && window.Count < limits.Messages; i++)
        {
            var position = plan.Fetch[i];
            var alone = plan.Attempts.ContainsKey(position);
            var size = sizes?[position] ?? 0;
            if (window.Count > 0 && (alone || bytes + size > limits.Bytes))
            {
                break;
            }

            window.Add(position);
            bytes += size;
            if (alone)
            {
                break;
            }
        }

        return window;
    }

    private List<string> RetrievalWarningsFor(MessageListing listing, int position, long? listedSize, long receivedSize)
    {
        var id = listing[position];
        List<string> warnings = [];
        if (listing.Copies(id) > 1)
        {
            warnings.Add(RetrievalWarnings.ForDuplicate(id, listing.Copies(id)));
        }

        if (listedSize is { } listed && RetrievalWarnings.ForSize(listed, receivedSize) is { } size)
        {
            warnings.Add(size);
            Log.RetrievalWarning(services.Logger, Mailbox, id, size);
        }

        return warnings;
    }

    private void LogCutShort(bool outOfTime, int remaining)
    {
        if (outOfTime)
        {
            Log.BudgetReached(services.Logger, Mailbox, nameof(MailboxOptions.MaxRunTime), remaining);
        }
        else
        {
            Log.Stopping(services.Logger, Mailbox, remaining);
        }
    }

    private static void CreatePrivateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
