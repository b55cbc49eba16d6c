namespace MailIngest.Storage.FileSystem;

/// <summary>
/// The FileSystem store's <see cref="Archive.IMailArchive.PersistAsync"/>: returns only after a flush that began after
/// every write completed before the call, so that a ledger renamed after it can never reach the disk before the
/// messages it names. Writes are counted; a flush notes the count it began at and covers exactly those writes.
/// </summary>
/// <remarks>
/// One flush runs at a time. A caller that finds one under way waits for it, then looks again: if it began after the
/// caller's writes they are covered, otherwise the caller starts the next one, which every caller waiting then shares.
/// A flush that fails covers nothing, so the next caller flushes again.
/// </remarks>
internal sealed class DurabilityBarrier(Action flush)
{
    private readonly Lock _sync = new();
    private Task _lastFlush = Task.CompletedTask;
    private long _completedWrites;
    private long _coveredWrites;

    /// <summary>Counts a write (a rename, an append, a delete) that has completed: the next flush must cover it.</summary>
    public void WriteCompleted() => Interlocked.Increment(ref _completedWrites);

    public async Task PersistAsync(CancellationToken cancellationToken)
    {
        var written = Interlocked.Read(ref _completedWrites);
        while (true)
        {
            Task flushing;
            lock (_sync)
            {
                if (Interlocked.Read(ref _coveredWrites) >= written)
                {
                    return;
                }

                if (_lastFlush.IsCompleted)
                {
                    _lastFlush = Task.Run(Flush, CancellationToken.None);
                }

                flushing = _lastFlush;
            }

            await flushing.WaitAsync(cancellationToken);
        }
    }

    private void Flush()
    {
        var covered = Interlocked.Read(ref _completedWrites);
        flush();
        Interlocked.Exchange(ref _coveredWrites, covered);
    }
}
