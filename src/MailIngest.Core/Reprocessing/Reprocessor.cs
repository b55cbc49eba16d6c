using MailIngest.Archive;
using MailIngest.Decoding;
using MailIngest.Ingestion;
using MailIngest.Ledger;
using Microsoft.Extensions.Logging;

namespace MailIngest.Reprocessing;

/// <summary>A reprocess of one mailbox from the outside: take the lock, run the pass under it, and say how it ended.</summary>
internal sealed class Reprocessor(
    IMailArchive archive,
    LedgerStore ledgers,
    MessageDecoder decoder,
    IIngestObserver observer,
    IProgressSink progress,
    IEnumerable<IReprocessedMessageSink> sinks,
    TimeProvider time,
    ILogger<Reprocessor> logger) : IReprocessor
{
    private readonly ReprocessServices _services = new(archive, ledgers, decoder, observer, progress, [.. sinks], time, logger);

    public async Task<ReprocessResult> ReprocessAsync(string mailbox, ReprocessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetTimestamp();
        var counters = new ReprocessCounters();
        try
        {
            // A dry run takes the lock too: it reads no message an ingestion is halfway through, and uses the mailbox's spool.
            await using var mailboxLock = await archive.TryLockMailboxAsync(mailbox, cancellationToken);
            if (mailboxLock is null)
            {
                Log.MailboxLocked(logger, mailbox);
                return ReprocessResult.LockHeld(mailbox);
            }

            var pass = new ReprocessPass(_services, mailbox, request, mailboxLock, counters);
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, mailboxLock.Lost);
            try
            {
                await (request.Quarantine ? new QuarantineDrain(pass).RunAsync(stopping.Token) : new StoredMessageRewrite(pass).RunAsync(stopping.Token));
                return counters.ToResult(mailbox, request.DryRun, time.GetElapsedTime(started));
            }
            catch (Exception e) when (!mailboxLock.IsHeld && e is not MailboxLockLostException)
            {
                // Whatever failed after the lock was lost (a cancelled request, a conflicting write), the loss is the cause.
                return Failed(mailbox, counters, request, started, $"{new MailboxLockLostException(mailbox).Message} ({Describe(e)})", e);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            var error = e is OperationCanceledException
                ? "stopped before the end; what is written is consistent, and reprocess goes on where it stopped when run again"
                : Describe(e);
            return Failed(mailbox, counters, request, started, error, e);
        }
        finally
        {
            progress.Finished(mailbox);
        }
    }

    private ReprocessResult Failed(string mailbox, ReprocessCounters counters, ReprocessRequest request, long started, string error, Exception e)
    {
        Log.ReprocessFailed(logger, mailbox, error, e);
        return counters.ToResult(mailbox, request.DryRun, time.GetElapsedTime(started)) with { Status = MailboxRunStatus.Failed, Error = error };
    }

    private static string Describe(Exception e) => e switch
    {
        ArchiveConflictException or ArchiveUnavailableException or InvalidDataException or MailboxLockLostException or IOException => e.Message,
        OperationCanceledException => "its work was cancelled",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
