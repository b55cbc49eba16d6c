using System.Globalization;
using MailIngest.Archive;
using MailIngest.Configuration;
using MailIngest.Ledger;
using MailIngest.Sources;

namespace MailIngest.Ingestion;

/// <summary>Runs mailboxes: what <c>once</c>, <c>run</c>, <c>adopt</c>, <c>plan</c> and <c>retry</c> do to one mailbox.</summary>
public interface IMailboxRunner
{
    /// <summary>Ingests what is new on the mailbox's server (docs/architecture.md); reconnects and resumes after transient failures.</summary>
    /// <param name="mailbox">The mailbox's configured name.</param>
    /// <param name="options">The mailbox's settings.</param>
    /// <param name="stopping">
    /// Asks the run to end early but cleanly: no new message starts, the messages in hand are stored, the ledger is
    /// written and the session committed (with its deletions). Network and storage calls are bounded by their own
    /// timeouts, not by this token, so that a stop never leaves a message half-stored.
    /// </param>
    Task<MailboxRunResult> RunAsync(string mailbox, MailboxOptions options, CancellationToken stopping);

    /// <summary>
    /// <c>mailingest adopt</c>: records every message now on the server as seen, without fetching any (no RETR, no DELE);
    /// seen messages are never fetched or deleted. For recovering from changed IDs, and for starting on a mailbox whose
    /// history should not be imported.
    /// </summary>
    Task<MailboxRunResult> AdoptAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// <c>mailingest reingest</c>: accepts a renumbered IMAP folder (or a POP3 server's new UIDLs) and sets aside the
    /// entries of stored messages no longer listed, so that the next run fetches the mailbox again and stores only the
    /// messages whose raw SHA-256 none of them holds (docs/recovery.md).
    /// </summary>
    Task<MailboxRunResult> ReingestAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken);

    /// <summary><c>mailingest plan</c>: the plan a run would make now, from the listing alone; takes no lock and writes nothing.</summary>
    Task<MailboxPlan> PlanAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// <c>mailingest retry</c>: forgets the records of skipped, unprocessable and retried messages (all, or those with the
    /// given IDs), so that the next run fetches them again; connects to no server.
    /// </summary>
    Task<RetryResult> RetryAsync(string mailbox, IReadOnlyCollection<string> ids, CancellationToken cancellationToken);
}

/// <summary>
/// A run of one mailbox from the outside: take the lock, load the ledger (while the first session logs in), run sessions
/// through the resilience pipeline (each one a <see cref="MailboxRun"/> step after step), and record how it ended.
/// </summary>
internal sealed class MailboxRunner(
    IEnumerable<IMailSource> sources,
    RunServices services,
    MailboxResilience resilience,
    IngestMetrics metrics) : IMailboxRunner
{
    public async Task<MailboxRunResult> RunAsync(string mailbox, MailboxOptions options, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(options);
        return await RunLockedAsync(mailbox, options, IngestSessionAsync, stopping);
    }

    public async Task<MailboxRunResult> AdoptAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = await RunLockedAsync(mailbox, options, (run, session) => run.AdoptAsync(session, CancellationToken.None), cancellationToken);
        return result.Status == MailboxRunStatus.Skipped ? result : result with { Adopted = result.Adopted ?? 0 };
    }

    public async Task<MailboxRunResult> ReingestAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = await RunLockedAsync(mailbox, options, (run, session) => run.SetAsideAsync(session, CancellationToken.None), cancellationToken);
        return result.Status == MailboxRunStatus.Skipped ? result : result with { SetAside = result.SetAside ?? 0 };
    }

    public async Task<MailboxPlan> PlanAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ledger = await services.Ledgers.LoadAsync(mailbox, cancellationToken);
        var run = new MailboxRun(services, options, ledger, new RunCounters(services.Time, services.Time.GetUtcNow(), ledger.Totals), new RunGuard(null, cancellationToken));
        await using var session = await SourceFor(options).OpenAsync(mailbox, options, cancellationToken);
        MailboxPlan plan;
        try
        {
            plan = MailboxPlan.From(mailbox, ledger, await run.ListAndPlanAsync(session, readOnly: true, cancellationToken), options);
        }
        catch (UidlsChangedException e)
        {
            plan = MailboxPlan.BlockedBy(mailbox, ledger, e.Message);
        }

        // QUIT without a DELE: the session changes nothing.
        await session.CommitAsync(cancellationToken);
        return plan;
    }

    public async Task<RetryResult> RetryAsync(string mailbox, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await using var mailboxLock = await services.Archive.TryLockMailboxAsync(mailbox, cancellationToken);
        if (mailboxLock is null)
        {
            return RetryResult.LockHeld(mailbox);
        }

        var ledger = await services.Ledgers.LoadAsync(mailbox, cancellationToken);
        var entries = ledger.Entries();
        var unknown = ids.Where(id => !entries.Any(e => e.Id == id)).ToList();
        var kept = ids.Where(id => entries.Any(e => e.Id == id && e.State is not (EntryState.Skipped or EntryState.Failed or EntryState.Retrying))).ToList();
        if (unknown.Count > 0 || kept.Count > 0)
        {
            return RetryResult.Refused(mailbox, unknown, kept);
        }

        var cleared = entries
            .Where(e => e.State is EntryState.Skipped or EntryState.Failed or EntryState.Retrying && (ids.Count == 0 || ids.Contains(e.Id)))
            .ToList();
        foreach (var entry in cleared.Where(e => e.State is not EntryState.Retrying))
        {
            // The record in quarantine/ says the message was given up; the next run decides again.
            var key = entry.Key ?? ArchiveLayout.MessageKey(mailbox, entry.Id);
            await services.Archive.DeleteAsync($"{ArchiveLayout.QuarantineFolder(mailbox, key)}/{ArchiveLayout.ErrorName}", cancellationToken);
        }

        ledger.Remove(cleared.Select(e => e.Id));
        if (cleared.Count > 0)
        {
            // Their messages are still on the server: a remembered source state would let the next listing skip them.
            ledger.SetSourceState(null);
        }

        await services.Ledgers.AppendAsync(ledger, includeKept: false, cancellationToken);
        Log.RetryCleared(services.Logger, mailbox, cleared.Count);
        return new RetryResult(mailbox, [.. cleared.Select(e => e.Id)], null);
    }

    private static async Task IngestSessionAsync(MailboxRun run, IMailSession session)
    {
        // The sessions' own calls get no cancellation: a stop ends them between messages instead (see RunAsync).
        var plan = await run.ListAndPlanAsync(session, readOnly: false, CancellationToken.None);
        await run.IngestAsync(session, plan, CancellationToken.None);
    }

    private IMailSource SourceFor(MailboxOptions options) =>
        sources.FirstOrDefault(source => source.Serves(options))
        ?? throw new InvalidOperationException($"No mail source is registered for protocol {options.Protocol}.");

    private async Task<MailboxRunResult> RunLockedAsync(string mailbox, MailboxOptions options, Func<MailboxRun, IMailSession, Task> work, CancellationToken stopping)
    {
        try
        {
            var result = await LockAndRunAsync(mailbox, options, work, stopping);
            metrics.RunFinished(result);
            return result;
        }
        finally
        {
            services.Progress.Finished(mailbox);
        }
    }

    private async Task<MailboxRunResult> LockAndRunAsync(string mailbox, MailboxOptions options, Func<MailboxRun, IMailSession, Task> work, CancellationToken stopping)
    {
        var startedAt = services.Time.GetUtcNow();
        var started = services.Time.GetTimestamp();
        try
        {
            // A stop before the run holds anything ends it here; from then on, the run ends itself cleanly.
            await using var mailboxLock = await services.Archive.TryLockMailboxAsync(mailbox, stopping);
            if (mailboxLock is null)
            {
                Log.MailboxLocked(services.Logger, mailbox);
                return MailboxRunResult.LockHeld(mailbox);
            }

            await using var sessions = new SessionOpener(() => SourceFor(options).OpenAsync(mailbox, options, CancellationToken.None), early: resilience.IsClosed(mailbox));
            var ledger = await services.Ledgers.LoadAsync(mailbox, stopping);
            if (ledger.DiedInFlight.Count > 0)
            {
                Log.DiedInFlight(services.Logger, mailbox, ledger.DiedInFlight.Count);
            }

            var run = new MailboxRun(services, options, ledger, new RunCounters(services.Time, startedAt, ledger.Totals), new RunGuard(mailboxLock, stopping));
            return await RunSessionsAsync(run, sessions, work, stopping);
        }
        catch (Exception e) when (IsFailure(e, stopping))
        {
            // The lock or the ledger could not be had, so nothing was fetched and there is no ledger to record this in.
            var error = Describe(e);
            Log.RunFailed(services.Logger, mailbox, error, e);
            return MailboxRunResult.FailedToStart(mailbox, error, services.Time.GetElapsedTime(started));
        }
    }

    /// <remarks>
    /// <paramref name="stopping"/> only cuts short the waits between reconnects; the sessions' own calls get no
    /// cancellation (the run checks <paramref name="stopping"/> between messages instead).
    /// </remarks>
    private async Task<MailboxRunResult> RunSessionsAsync(MailboxRun run, SessionOpener sessions, Func<MailboxRun, IMailSession, Task> work, CancellationToken stopping)
    {
        var (mailbox, options, counters) = (run.Mailbox, run.Options, run.Counters);
        var attempts = new SessionAttempts(services.Time);
        try
        {
            await resilience.ExecuteAsync(
                mailbox,
                options,
                attempts,
                async _ =>
                {
                    await using var session = await sessions.OpenAsync();
                    attempts.LoggedIn(session.LoginDelay);
                    try
                    {
                        await work(run, session);
                    }
                    catch (RunCutShortException)
                    {
                        // MaxRunTime cut a retrieval off; the session is unusable, and what is stored stays stored.
                    }
                },
                stopping);
            counters.Reconnects = attempts.Retries;
            NoteLoginDelay(mailbox, attempts);
            await run.FinishAsync(RunOutcome.Succeeded, null, CancellationToken.None);
            return counters.ToResult(mailbox, MailboxRunStatus.Succeeded, null, run.Ledger);
        }
        catch (Exception e) when (IsFailure(e, stopping))
        {
            counters.Reconnects = attempts.Retries;
            // Another worker that took the mailbox over may have cleaned up under this run (its spool folder, say).
            var error = run.LockLost && e is not MailboxLockLostException
                ? $"{new MailboxLockLostException(mailbox).Message} ({Describe(e)})"
                : Describe(e) + RetryNote(attempts, e);
            Log.RunFailed(services.Logger, mailbox, error, e);
            await TryFinishFailedAsync(run, error);
            return counters.ToResult(mailbox, MailboxRunStatus.Failed, error, run.Ledger);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped while waiting to reconnect: what is stored gets recorded, the rest waits for the next run.
            counters.Reconnects = attempts.Retries;
            const string error = "stopped while waiting to reconnect after a failure";
            await TryFinishFailedAsync(run, error);
            return counters.ToResult(mailbox, MailboxRunStatus.Failed, error, run.Ledger);
        }
    }

    /// <summary>Everything but the caller's own cancellation is a failure of this mailbox's run, not of the program.</summary>
    private static bool IsFailure(Exception e, CancellationToken cancellationToken) =>
        e is not OperationCanceledException || !cancellationToken.IsCancellationRequested;

    /// <summary>
    /// Records a failed run for <c>mailingest status</c>. What was stored before the failure is recorded too, which
    /// spares the next run from fetching it again; a storage outage may prevent both, and the next run then finds the
    /// stored messages in the archive instead.
    /// </summary>
    private async Task TryFinishFailedAsync(MailboxRun run, string error)
    {
        try
        {
            await run.FinishAsync(RunOutcome.Failed, error, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RunRecordFailed(services.Logger, run.Mailbox, e.Message);
        }
    }

    private void NoteLoginDelay(string mailbox, SessionAttempts attempts)
    {
        var left = attempts.LoginDelayLeft;
        if (left > TimeSpan.Zero)
        {
            var nextPoll = services.Time.GetUtcNow() + left;
            Log.LoginDelay(services.Logger, mailbox, left, nextPoll);
        }
    }

    /// <summary>Says why a transient failure was not retried further, and when a LOGIN-DELAY lets the mailbox be polled again.</summary>
    private string RetryNote(SessionAttempts attempts, Exception e) => e switch
    {
        MailServerException { Failure: MailServerFailure.LoginDelay } refused => string.Create(
            CultureInfo.InvariantCulture,
            $" The mailbox may be polled again after {(services.Time.GetUtcNow() + (refused.RetryAfter ?? TimeSpan.Zero)):u}; this run does not retry."),
        MailServerException { Failure: MailServerFailure.Transient } when attempts.LoginDelayLeft > TimeSpan.Zero => string.Create(
            CultureInfo.InvariantCulture,
            $" The server's LOGIN-DELAY forbids logging in again before {(services.Time.GetUtcNow() + attempts.LoginDelayLeft):u}."),
        MailServerException { Failure: MailServerFailure.Transient } => string.Create(
            CultureInfo.InvariantCulture, $" Gave up after {attempts.Retries} reconnects."),
        _ => "",
    };

    private static string Describe(Exception e) => e switch
    {
        ArchiveConflictException or ArchiveUnavailableException or InvalidDataException or UidlsChangedException or MailboxLockLostException => e.Message,
        OperationCanceledException => "the run was cancelled",
        _ => MailboxResilience.Describe(e),
    };
}
