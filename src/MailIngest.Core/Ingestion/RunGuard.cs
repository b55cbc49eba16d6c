using MailIngest.Archive;

namespace MailIngest.Ingestion;

/// <summary>What may end a run early: the loss of its mailbox lock, and the caller asking it to stop.</summary>
/// <param name="Lock">The mailbox's lock; null for <c>mailingest plan</c>, which takes none and writes nothing.</param>
/// <param name="Stopping">
/// Asks the run to end early but cleanly: no new message starts, the messages in hand are stored, the ledger is
/// written and the session committed.
/// </param>
internal sealed record RunGuard(IMailboxLock? Lock, CancellationToken Stopping)
{
    public bool StopRequested => Stopping.IsCancellationRequested;

    /// <summary>A lost lease means another worker may be running this mailbox now: no ledger write, no DELE after that.</summary>
    public void ThrowIfLockLost(string mailbox)
    {
        if (Lock is { IsHeld: false })
        {
            throw new MailboxLockLostException(mailbox);
        }
    }
}

/// <summary>The mailbox's lock was lost (an Azure lease that could not be renewed): the run stops before its next ledger write or DELE.</summary>
internal sealed class MailboxLockLostException(string mailbox)
    : Exception($"the lock on mailbox {mailbox} was lost (its lease could not be renewed in time), so another worker may be running it now; this run stopped before writing its ledger or deleting mail");

/// <summary>MaxRunTime ran out in the middle of a retrieval; what is stored stays stored.</summary>
internal sealed class RunCutShortException() : Exception("MaxRunTime ran out during a retrieval");
