using MailIngest.Archive;
using MailIngest.Ingestion;

namespace MailIngest.Reprocessing;

/// <summary>A reprocess of one mailbox from the outside: take the lock, run the pass under it, and say how it ended.</summary>
internal sealed class Reprocessor(ReprocessServices services) : IReprocessor
{
    public async Task<ReprocessResult> ReprocessAsync(string mailbox, ReprocessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = services.Time.GetTimestamp();
        var counters = new ReprocessCounters();
        ReprocessResult SoFar() => counters.ToResult(mailbox, request.DryRun, services.Time.GetElapsedTime(started));
        try
        {
            // A dry run takes the lock too: it reads no message an ingestion is halfway through, and uses the mailbox's spool.
            await using var mailboxLock = await services.Archive.TryLockMailboxAsync(mailbox, cancellationToken);
            if (mailboxLock is null)
            {
                Log.MailboxLocked(services.Logger, mailbox);
                return ReprocessResult.LockHeld(mailbox);
            }

            var pass = new ReprocessPass(services, mailbox, request, mailboxLock, counters);
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, mailboxLock.Lost);
            try
            {
                await (request.Quarantine ? new QuarantineDrain(pass).RunAsync(stopping.Token) : new StoredMessageRewrite(pass).RunAsync(stopping.Token));
                return SoFar();
            }
            catch (Exception e) when (!mailboxLock.IsHeld && e is not MailboxLockLostException)
            {
                // Whatever failed after the lock was lost (a cancelled request, a conflicting write), the loss is the cause.
                return Failed(SoFar(), $"{new MailboxLockLostException(mailbox).Message} ({Describe(e)})", e);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            var error = e is OperationCanceledException
                ? "stopped before the end; what is written is consistent, and reprocess goes on where it stopped when run again"
                : Describe(e);
            return Failed(SoFar(), error, e);
        }
        finally
        {
            services.Progress.Finished(mailbox);
        }
    }

    /// <summary>The result so far, failed with <paramref name="error"/>.</summary>
    private ReprocessResult Failed(ReprocessResult soFar, string error, Exception e)
    {
        Log.ReprocessFailed(services.Logger, soFar.Mailbox, error, e);
        return soFar with { Status = MailboxRunStatus.Failed, Error = error };
    }

    private static string Describe(Exception e) => e switch
    {
        ArchiveConflictException or ArchiveUnavailableException or InvalidDataException or MailboxLockLostException or IOException => e.Message,
        OperationCanceledException => "its work was cancelled",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
