using MailIngest.Archive;
using MailIngest.Configuration;
using MailIngest.IO;
using MailIngest.Ledger;
using MailIngest.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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

    private readonly IMailServer _server;
    private readonly IMailArchive _archive;
    private readonly LedgerStore _ledgers;
    private readonly MessageArchiver _archiver;
    private readonly IIngestObserver _observer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _tempPath;

    internal MailboxIngestor(
        IMailServer server,
        IMailArchive archive,
        LedgerStore ledgers,
        MessageArchiver archiver,
        IIngestObserver observer,
        IOptions<MailIngestOptions> options,
        TimeProvider time,
        ILogger<MailboxIngestor> logger)
    {
        _server = server;
        _archive = archive;
        _ledgers = ledgers;
        _archiver = archiver;
        _observer = observer;
        _time = time;
        _logger = logger;
        _tempPath = options.Value.ResolvedTempPath;
    }

    public async Task<MailboxRunResult> RunAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var startedAt = _time.GetUtcNow();
        try
        {
            await using var mailboxLock = await _archive.TryLockMailboxAsync(mailbox, cancellationToken);
            if (mailboxLock is null)
            {
                Log.MailboxLocked(_logger, mailbox);
                return new MailboxRunResult(mailbox, MailboxRunStatus.Skipped, 0, 0, 0, 0, 0, 0, TimeSpan.Zero);
            }

            var ledger = await _ledgers.LoadAsync(mailbox, cancellationToken);
            return await RunLockedAsync(mailbox, options, ledger, new RunProgress(_time, startedAt, ledger.Ledger.Totals), cancellationToken);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            // The lock or the ledger could not be had, so nothing was fetched and there is no ledger to record this in.
            var error = Describe(e);
            Log.RunFailed(_logger, mailbox, error, e);
            return new MailboxRunResult(mailbox, MailboxRunStatus.Failed, 0, 0, 0, 0, 0, 0, _time.GetUtcNow() - startedAt, error);
        }
    }

    private async Task<MailboxRunResult> RunLockedAsync(
        string mailbox, MailboxOptions options, VersionedLedger ledger, RunProgress run, CancellationToken cancellationToken)
    {
        try
        {
            await IngestAsync(mailbox, options, ledger, run, cancellationToken);
            await RecordRunAsync(mailbox, ledger, run, run.ToRecord(RunOutcome.Succeeded, null), cancellationToken);
            return run.ToResult(mailbox, MailboxRunStatus.Succeeded, null);
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            var error = Describe(e);
            Log.RunFailed(_logger, mailbox, error, e);
            await TryRecordFailureAsync(mailbox, ledger, run, run.ToRecord(RunOutcome.Failed, error));
            return run.ToResult(mailbox, MailboxRunStatus.Failed, error);
        }
    }

    /// <summary>Everything but the caller's own cancellation is a failure of this mailbox's run, not of the program.</summary>
    private static bool IsFailure(Exception e, CancellationToken cancellationToken) =>
        e is not OperationCanceledException || !cancellationToken.IsCancellationRequested;

    private async Task IngestAsync(string mailbox, MailboxOptions options, VersionedLedger ledger, RunProgress run, CancellationToken cancellationToken)
    {
        await using var session = await _server.OpenAsync(mailbox, options, cancellationToken);
        var uidls = await session.GetUidlsAsync(cancellationToken);
        ledger.Ledger.Prune(uidls.ToHashSet(StringComparer.Ordinal));

        var pending = new List<int>();
        for (var index = 0; index < uidls.Count; index++)
        {
            if (!ledger.Ledger.Contains(uidls[index]))
            {
                pending.Add(index);
            }
        }

        run.New = pending.Count;
        if (pending.Count > 0)
        {
            var sizes = await session.GetSizesAsync(cancellationToken);
            var plan = FetchPlan.Create(pending, sizes, options);
            run.Remaining = pending.Count - plan.Count;
            var planBytes = plan.Sum(i => sizes[i]);
            Log.Planned(_logger, mailbox, uidls.Count, pending.Count, plan.Count, planBytes);
            if (plan.Budget is { } budget)
            {
                Log.BudgetReached(_logger, mailbox, budget, run.Remaining);
            }

            await FetchAsync(mailbox, options, session, uidls, sizes, plan, ledger, run, cancellationToken);
        }

        // The ledger must be durable before any DELE: nothing is deleted that is not stored and recorded.
        await FlushAsync(mailbox, ledger, run, cancellationToken);

        List<int> durable = [];
        if (options.DeleteAfterIngest)
        {
            // Only entries of the ledger just written are deleted, including those an earlier run stored but died before QUIT.
            durable = [.. Enumerable.Range(0, uidls.Count).Where(i => ledger.Ledger.Contains(uidls[i]))];
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

    private async Task FetchAsync(
        string mailbox,
        MailboxOptions options,
        IMailSession session,
        IReadOnlyList<string> uidls,
        IReadOnlyList<long> sizes,
        FetchPlan plan,
        VersionedLedger ledger,
        RunProgress run,
        CancellationToken cancellationToken)
    {
        var next = 0;
        while (next < plan.Count)
        {
            // Like the byte budget, the time budget never stops a run before its first batch: every run makes progress.
            if (next > 0 && options.MaxRunTime > TimeSpan.Zero && run.Elapsed >= options.MaxRunTime)
            {
                run.Remaining += plan.Count - next;
                Log.BudgetReached(_logger, mailbox, nameof(MailboxOptions.MaxRunTime), run.Remaining);
                return;
            }

            var batch = plan.NextBatch(next, sizes, BatchMessages, BatchBytes);
            next += batch.Count;
            await session.RetrieveAsync(
                batch,
                async (index, content, ct) =>
                {
                    await using var raw = RawMessageFile.Create(_tempPath);
                    await raw.FillAsync(content, ct);
                    var stored = await _archiver.StoreAsync(mailbox, uidls[index], raw, ct);
                    ledger.Ledger.Add(uidls[index]);
                    run.Record(stored);
                    Log.MessageStored(_logger, mailbox, uidls[index], stored.Folder);
                    if (run.SinceFlush >= options.LedgerFlushEvery || run.SinceFlushTime >= options.LedgerFlushInterval)
                    {
                        await FlushAsync(mailbox, ledger, run, ct);
                    }
                },
                cancellationToken);
        }
    }

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
        MailServerException or ArchiveConflictException or InvalidDataException => e.Message,
        OperationCanceledException => "the run was cancelled",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
