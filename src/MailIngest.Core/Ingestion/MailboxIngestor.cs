using System.Globalization;
using System.Runtime.ExceptionServices;
using MailIngest.Archive;
using MailIngest.Configuration;
using MailIngest.IO;
using MailIngest.Ledger;
using MailIngest.Server;
using MailIngest.Telemetry;
using Microsoft.Extensions.Logging;

namespace MailIngest.Ingestion;

/// <summary>
/// One run of one mailbox, the core loop of DESIGN.md: lock, load the ledger, UIDL, fetch what is new (oldest first,
/// within the run's budgets), store each message, flush the ledger, then DELE only what the durable ledger holds, and QUIT.
/// </summary>
public sealed class MailboxIngestor
{
    /// <summary>Messages fetched per round trip; with PIPELINING they are requested together.</summary>
    private const int BatchMessages = 16;

    /// <summary>Bytes (by LIST size) fetched per round trip, so a batch never holds much in flight.</summary>
    private const long BatchBytes = 8 * 1024 * 1024;

    /// <summary>
    /// Messages of a batch stored at once: enough to keep the cores decoding and a blob store busy (into Azurite, 8 took
    /// 2,100 messages in 17 s where 4 took 20 s; the FileSystem store is as fast either way).
    /// </summary>
    private const int StoreParallelism = 8;

    private readonly IMailServer _server;
    private readonly IMailArchive _archive;
    private readonly LedgerStore _ledgers;
    private readonly MessageArchiver _archiver;
    private readonly MailboxResilience _resilience;
    private readonly IngestMetrics _metrics;
    private readonly IRunProgress _progress;
    private readonly IIngestObserver _observer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal MailboxIngestor(
        IMailServer server,
        IMailArchive archive,
        LedgerStore ledgers,
        MessageArchiver archiver,
        MailboxResilience resilience,
        IngestMetrics metrics,
        IRunProgress progress,
        IIngestObserver observer,
        TimeProvider time,
        ILogger<MailboxIngestor> logger)
    {
        _server = server;
        _archive = archive;
        _ledgers = ledgers;
        _archiver = archiver;
        _resilience = resilience;
        _metrics = metrics;
        _progress = progress;
        _observer = observer;
        _time = time;
        _logger = logger;
    }

    /// <summary>Ingests what is new on the mailbox's server; reconnects and resumes after transient failures.</summary>
    /// <param name="mailbox">The mailbox's configured name.</param>
    /// <param name="options">The mailbox's settings.</param>
    /// <param name="stopping">
    /// Asks the run to end early but cleanly: no new batch of messages starts, the messages in hand are stored, the ledger
    /// is written and the session committed (with its deletions). Network and storage calls are bounded by their own
    /// timeouts, not by this token, so that a stop never leaves a message half-stored.
    /// </param>
    public Task<MailboxRunResult> RunAsync(string mailbox, MailboxOptions options, CancellationToken stopping) =>
        RunLockedAsync(mailbox, options, IngestSessionAsync, stopping);

    /// <summary>
    /// <c>mailingest adopt</c>: records every message now on the server as seen, without fetching any (no RETR, no DELE).
    /// For recovering from changed UIDLs, and for starting on a mailbox whose history should not be imported.
    /// </summary>
    public async Task<MailboxRunResult> AdoptAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        var result = await RunLockedAsync(mailbox, options, AdoptSessionAsync, cancellationToken);
        return result.Status == MailboxRunStatus.Skipped ? result : result with { Adopted = result.Adopted ?? 0 };
    }

    private async Task<MailboxRunResult> RunLockedAsync(string mailbox, MailboxOptions options, SessionWork work, CancellationToken stopping)
    {
        try
        {
            var result = await LockAndRunAsync(mailbox, options, work, stopping);
            _metrics.Record(result);
            return result;
        }
        finally
        {
            _progress.Finished(mailbox);
        }
    }

    private async Task<MailboxRunResult> LockAndRunAsync(string mailbox, MailboxOptions options, SessionWork work, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(options);
        var startedAt = _time.GetUtcNow();
        try
        {
            // A stop before the run holds anything ends it here; from then on, the run ends itself cleanly.
            await using var mailboxLock = await _archive.TryLockMailboxAsync(mailbox, stopping);
            if (mailboxLock is null)
            {
                Log.MailboxLocked(_logger, mailbox);
                return new MailboxRunResult(mailbox, MailboxRunStatus.Skipped, 0, 0, 0, 0, 0, 0, TimeSpan.Zero);
            }

            var ledger = await _ledgers.LoadAsync(mailbox, stopping);
            return await RunSessionsAsync(mailbox, options, ledger, new RunProgress(_time, startedAt, ledger.Ledger.Totals, stopping), work, stopping);
        }
        catch (Exception e) when (IsFailure(e, stopping))
        {
            // The lock or the ledger could not be had, so nothing was fetched and there is no ledger to record this in.
            var error = Describe(e);
            Log.RunFailed(_logger, mailbox, error, e);
            return new MailboxRunResult(mailbox, MailboxRunStatus.Failed, 0, 0, 0, 0, 0, 0, _time.GetUtcNow() - startedAt, error);
        }
    }

    /// <summary>One session's work; called again on a new session after a transient failure, so it must resume, never repeat.</summary>
    private delegate Task SessionWork(
        string mailbox, MailboxOptions options, IMailSession session, SessionAttempts attempts, VersionedLedger ledger, RunProgress run, CancellationToken cancellationToken);

    /// <remarks>
    /// <paramref name="stopping"/> only cuts short the waits between reconnects; the sessions' own calls get no
    /// cancellation (<see cref="RunProgress.StopRequested"/> ends them between batches instead).
    /// </remarks>
    private async Task<MailboxRunResult> RunSessionsAsync(
        string mailbox, MailboxOptions options, VersionedLedger ledger, RunProgress run, SessionWork work, CancellationToken stopping)
    {
        var attempts = new SessionAttempts(_time);
        try
        {
            await _resilience.ExecuteAsync(
                mailbox,
                options,
                attempts,
                async _ =>
                {
                    await using var session = await _server.OpenAsync(mailbox, options, CancellationToken.None);
                    attempts.LoggedIn(session.LoginDelay);
                    await work(mailbox, options, session, attempts, ledger, run, CancellationToken.None);
                },
                stopping);
            run.Reconnects = attempts.Retries;
            NoteLoginDelay(mailbox, attempts);
            await RecordRunAsync(mailbox, ledger, run, run.ToRecord(RunOutcome.Succeeded, null), CancellationToken.None);
            return run.ToResult(mailbox, MailboxRunStatus.Succeeded, null);
        }
        catch (Exception e) when (IsFailure(e, stopping))
        {
            run.Reconnects = attempts.Retries;
            var error = Describe(e) + RetryNote(attempts, e);
            Log.RunFailed(_logger, mailbox, error, e);
            await TryRecordFailureAsync(mailbox, ledger, run, run.ToRecord(RunOutcome.Failed, error));
            return run.ToResult(mailbox, MailboxRunStatus.Failed, error);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped while waiting to reconnect: what is stored gets recorded, the rest waits for the next run.
            run.Reconnects = attempts.Retries;
            const string error = "stopped while waiting to reconnect after a failure";
            await TryRecordFailureAsync(mailbox, ledger, run, run.ToRecord(RunOutcome.Failed, error));
            return run.ToResult(mailbox, MailboxRunStatus.Failed, error);
        }
    }

    /// <summary>Everything but the caller's own cancellation is a failure of this mailbox's run, not of the program.</summary>
    private static bool IsFailure(Exception e, CancellationToken cancellationToken) =>
        e is not OperationCanceledException || !cancellationToken.IsCancellationRequested;

    private async Task IngestSessionAsync(
        string mailbox, MailboxOptions options, IMailSession session, SessionAttempts attempts, VersionedLedger ledger, RunProgress run, CancellationToken cancellationToken)
    {
        // Indexes change between sessions, so every session lists afresh; what earlier sessions stored is in the ledger already.
        var listing = new UidlListing(await session.GetUidlsAsync(cancellationToken));
        var resuming = attempts.Listed;
        if (!resuming && options.UidlGuard)
        {
            UidlGuard.Default.Check(mailbox, ledger.Ledger.Count, listing.Distinct.Count(ledger.Ledger.Contains), listing.Count);
        }

        attempts.Listed = true;

        ledger.Ledger.Prune(listing.Distinct);
        foreach (var (uidl, copies) in listing.Duplicates)
        {
            Log.DuplicateUidl(_logger, mailbox, uidl, copies);
        }

        var pending = listing.NotIn(ledger.Ledger);
        if (!resuming)
        {
            run.New = pending.Count;
        }

        var storedHere = new HashSet<int>();
        run.Remaining = 0;
        if (pending.Count > 0)
        {
            var sizes = await session.GetSizesAsync(cancellationToken);
            var plan = FetchPlan.Create(pending, sizes, options, run.Fetched, run.Bytes);
            run.Remaining = pending.Count - plan.Count;
            var planBytes = plan.Sum(i => sizes[i]);
            Log.Planned(_logger, mailbox, listing.Count, pending.Count, plan.Count, planBytes);
            _progress.Planned(mailbox, plan.Count, planBytes);
            if (plan.Budget is { } budget)
            {
                Log.BudgetReached(_logger, mailbox, budget, run.Remaining);
            }

            await FetchAsync(mailbox, options, session, listing, sizes, plan, ledger, run, storedHere, cancellationToken);
        }

        // The ledger must be durable before any DELE: nothing is deleted that is not stored and recorded.
        await FlushAsync(mailbox, ledger, run, cancellationToken);

        List<int> durable = [];
        if (options.DeleteAfterIngest)
        {
            durable = DeletableIndexes(mailbox, listing, ledger.Ledger, storedHere);
            if (durable.Count > 0)
            {
                Log.Deleting(_logger, mailbox, durable.Count);
                await session.DeleteAsync(durable, cancellationToken);
            }
        }

        _observer.OnStep(mailbox, IngestStep.Committing);
        await session.CommitAsync(cancellationToken);
        run.Deleted(durable.Count);
    }

    /// <summary>
    /// Messages whose UIDL the just-written ledger holds, including those an earlier run (or session) stored but did not
    /// delete. A UIDL the server lists more than once is deleted only when every copy was stored in this session: the
    /// ledger cannot say which copy an earlier session stored.
    /// </summary>
    private List<int> DeletableIndexes(string mailbox, UidlListing listing, UidlLedger ledger, HashSet<int> storedHere)
    {
        var deletable = new List<int>();
        var kept = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < listing.Count; index++)
        {
            var uidl = listing.Uidls[index];
            if (!ledger.Contains(uidl))
            {
                continue;
            }

            var copies = listing.Copies(uidl);
            if (copies == 1 || Enumerable.Range(0, listing.Count).All(i => listing.Uidls[i] != uidl || storedHere.Contains(i)))
            {
                deletable.Add(index);
            }
            else if (kept.Add(uidl))
            {
                Log.DuplicateKept(_logger, mailbox, uidl, copies);
            }
        }

        return deletable;
    }

    private async Task AdoptSessionAsync(
        string mailbox, MailboxOptions options, IMailSession session, SessionAttempts attempts, VersionedLedger ledger, RunProgress run, CancellationToken cancellationToken)
    {
        var listing = new UidlListing(await session.GetUidlsAsync(cancellationToken));
        ledger.Ledger.Prune(listing.Distinct);
        var adopted = 0;
        foreach (var uidl in listing.Uidls.Where(uidl => !ledger.Ledger.Contains(uidl)))
        {
            ledger.Ledger.Add(uidl);
            adopted++;
        }

        run.Adopted = (run.Adopted ?? 0) + adopted;
        await FlushAsync(mailbox, ledger, run, cancellationToken);
        Log.Adopted(_logger, mailbox, run.Adopted.Value, ledger.Ledger.Count);
        await session.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Fetches the plan batch by batch, each batch requested while the one before is being stored, so that the server,
    /// the network and MailKit work while messages are decoded and written. The client is only ever used by the one
    /// fetch in flight; a failure of either side waits for the other before the session is given up.
    /// </summary>
    private async Task FetchAsync(
        string mailbox,
        MailboxOptions options,
        IMailSession session,
        UidlListing listing,
        IReadOnlyList<long> sizes,
        FetchPlan plan,
        VersionedLedger ledger,
        RunProgress run,
        HashSet<int> storedHere,
        CancellationToken cancellationToken)
    {
        var (next, handled) = (0, 0);
        Task<RetrievedMessages>? fetching = null;
        try
        {
            while (handled < plan.Count)
            {
                // Like the byte budget, the time budget never stops a run before its first batch: every run makes progress.
                var budgetReached = run.Fetched > 0 && options.MaxRunTime > TimeSpan.Zero && run.Elapsed >= options.MaxRunTime;
                if (budgetReached || run.StopRequested)
                {
                    // A batch fetched ahead is dropped unstored (in finally): the next run fetches it again with the rest.
                    run.Remaining += plan.Count - handled;
                    LogCutShort(mailbox, budgetReached, run.Remaining);
                    return;
                }

                fetching ??= FetchBatchAsync(session, plan, sizes, ref next, cancellationToken);
                using var batch = await fetching;
                fetching = next < plan.Count ? FetchBatchAsync(session, plan, sizes, ref next, cancellationToken) : null;
                await StoreBatchAsync(mailbox, listing, sizes, batch, ledger, run, storedHere, cancellationToken);
                handled += batch.Count;
                if (run.SinceFlush >= options.LedgerFlushEvery || run.SinceFlushTime >= options.LedgerFlushInterval)
                {
                    await FlushAsync(mailbox, ledger, run, cancellationToken);
                }
            }
        }
        finally
        {
            await DiscardAsync(fetching);
        }
    }

    private static Task<RetrievedMessages> FetchBatchAsync(
        IMailSession session, FetchPlan plan, IReadOnlyList<long> sizes, ref int next, CancellationToken cancellationToken)
    {
        var batch = plan.NextBatch(next, sizes, BatchMessages, BatchBytes);
        next += batch.Count;
        return session.RetrieveAsync(batch, cancellationToken);
    }

    /// <summary>Waits for a fetch in flight and releases what it got, so that the session may be used or closed.</summary>
    private static async Task DiscardAsync(Task<RetrievedMessages>? fetching)
    {
        if (fetching is null)
        {
            return;
        }

        try
        {
            using var batch = await fetching;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The run is ending for another reason already, or its next session fetches these again.
        }
    }

    private void LogCutShort(string mailbox, bool budgetReached, int remaining)
    {
        if (budgetReached)
        {
            Log.BudgetReached(_logger, mailbox, nameof(MailboxOptions.MaxRunTime), remaining);
        }
        else
        {
            Log.Stopping(_logger, mailbox, remaining);
        }
    }

    /// <summary>
    /// Stores a batch's messages several at a time, so that decoding uses every core and blob uploads overlap, then
    /// records them in server order. Copies of a UIDL the server lists twice may share a key, so a batch holding one is
    /// stored one message at a time. When a message fails, the ones stored before are still recorded.
    /// </summary>
    private async Task StoreBatchAsync(
        string mailbox,
        UidlListing listing,
        IReadOnlyList<long> sizes,
        RetrievedMessages batch,
        VersionedLedger ledger,
        RunProgress run,
        HashSet<int> storedHere,
        CancellationToken cancellationToken)
    {
        var stored = new StoredMessage?[batch.Count];
        var parallelism = batch.Indexes.Any(index => listing.Copies(listing.Uidls[index]) > 1) ? 1 : StoreParallelism;
        Exception? failure = null;
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, batch.Count),
                new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    var index = batch.Indexes[i];
                    var raw = RawMessage.Of(batch.Contents[i]);
                    var warnings = RetrievalWarningsFor(mailbox, listing, index, sizes[index], raw.Size);
                    stored[i] = await _archiver.StoreAsync(mailbox, listing.Uidls[index], raw, warnings, ct);
                });
        }
        catch (Exception e)
        {
            failure = e;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (stored[i] is { } message)
            {
                Record(mailbox, listing, batch.Indexes[i], message, ledger, run, storedHere);
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private void Record(string mailbox, UidlListing listing, int index, StoredMessage stored, VersionedLedger ledger, RunProgress run, HashSet<int> storedHere)
    {
        var uidl = listing.Uidls[index];
        storedHere.Add(index);

        // A UIDL listed twice is ingested once its last copy is stored, so a reconnect in between fetches the rest.
        if (listing.IsLastCopy(index))
        {
            ledger.Ledger.Add(uidl);
        }

        run.Record(stored);
        _progress.Stored(mailbox, stored.Size);
        Log.MessageStored(_logger, mailbox, uidl, stored.Folder);
    }

    private List<string> RetrievalWarningsFor(string mailbox, UidlListing listing, int index, long listedSize, long receivedSize)
    {
        var uidl = listing.Uidls[index];
        List<string> warnings = [];
        if (listing.Copies(uidl) > 1)
        {
            warnings.Add(RetrievalWarnings.ForDuplicate(uidl, listing.Copies(uidl)));
        }

        if (RetrievalWarnings.ForSize(listedSize, receivedSize) is { } size)
        {
            warnings.Add(size);
            Log.RetrievalWarning(_logger, mailbox, uidl, size);
        }

        return warnings;
    }

    private void NoteLoginDelay(string mailbox, SessionAttempts attempts)
    {
        var left = attempts.LoginDelayLeft;
        if (left > TimeSpan.Zero)
        {
            var nextPoll = _time.GetUtcNow() + left;
            Log.LoginDelay(_logger, mailbox, left, nextPoll);
        }
    }

    /// <summary>Says why a transient failure was not retried further, and when a LOGIN-DELAY lets the mailbox be polled again.</summary>
    private string RetryNote(SessionAttempts attempts, Exception e) => e switch
    {
        MailServerException { Failure: MailServerFailure.LoginDelay } refused => string.Create(
            CultureInfo.InvariantCulture,
            $" The mailbox may be polled again after {(_time.GetUtcNow() + (refused.RetryAfter ?? TimeSpan.Zero)):u}; this run does not retry."),
        MailServerException { Failure: MailServerFailure.Transient } when attempts.LoginDelayLeft > TimeSpan.Zero => string.Create(
            CultureInfo.InvariantCulture,
            $" The server's LOGIN-DELAY forbids logging in again before {(_time.GetUtcNow() + attempts.LoginDelayLeft):u}."),
        MailServerException { Failure: MailServerFailure.Transient } => string.Create(
            CultureInfo.InvariantCulture, $" Gave up after {attempts.Retries} reconnects."),
        _ => "",
    };

    private async Task FlushAsync(string mailbox, VersionedLedger ledger, RunProgress run, CancellationToken cancellationToken)
    {
        _observer.OnStep(mailbox, IngestStep.LedgerFlushing);
        ledger.Ledger.Totals = run.Totals;
        await _ledgers.SaveAsync(ledger, cancellationToken);
        run.Flushed();
        Log.LedgerFlushed(_logger, mailbox, ledger.Ledger.Count);
    }

    private async Task RecordRunAsync(string mailbox, VersionedLedger ledger, RunProgress run, RunRecord record, CancellationToken cancellationToken)
    {
        ledger.Ledger.LastRun = record;
        await FlushAsync(mailbox, ledger, run, cancellationToken);
    }

    /// <summary>
    /// Records a failed run for <c>mailingest status</c>. Every UIDL in the ledger already has its manifest stored, so
    /// writing it also spares the next run from fetching those messages again.
    /// </summary>
    private async Task TryRecordFailureAsync(string mailbox, VersionedLedger ledger, RunProgress run, RunRecord record)
    {
        try
        {
            await RecordRunAsync(mailbox, ledger, run, record, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RunRecordFailed(_logger, mailbox, e.Message);
        }
    }

    private static string Describe(Exception e) => e switch
    {
        ArchiveConflictException or InvalidDataException or UidlsChangedException => e.Message,
        OperationCanceledException => "the run was cancelled",
        _ => MailboxResilience.Describe(e),
    };
}
