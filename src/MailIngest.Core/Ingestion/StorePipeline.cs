using System.Threading.Channels;
using MailIngest.Archive;
using MailIngest.IO;
using MailIngest.Sources;

namespace MailIngest.Ingestion;

/// <summary>
/// Where a session's retrieval goes (docs/architecture.md, "Fetch and store"): each message is spooled to a local file as
/// it arrives, then stored by one of several workers while the session goes on retrieving the next, so that the server,
/// the network, the decoder and the store all work at once. The session waits only when the workers fall behind.
/// </summary>
internal sealed class StorePipeline : IRetrievalTarget, IAsyncDisposable
{
    private readonly string _spoolFolder;
    private readonly Func<int, SpooledMessage, CancellationToken, Task> _store;
    private readonly Func<int, string, CancellationToken, Task> _refused;
    private readonly Channel<(int Position, SpooledMessage? Message, string? Refusal)> _queue;
    private readonly Dictionary<int, SpoolWriter> _writing = [];
    private readonly CancellationTokenSource _failed;
    private readonly Task _workers;
    private readonly Lock _sync = new();
    private int _outstanding;
    private long _outstandingBytes;
    private TaskCompletionSource _idle = NewIdle(completed: true);
    private TaskCompletionSource _stored = NewIdle(completed: false);
    private Exception? _failure;

    /// <param name="spoolFolder">The mailbox's spool folder.</param>
    /// <param name="parallelism">Messages stored at once.</param>
    /// <param name="store">Stores and records one spooled message; an exception here is a failure of the run, not of the message.</param>
    /// <param name="refused">Records a message the server refused.</param>
    /// <param name="cancellationToken">Cancels the stores.</param>
    public StorePipeline(
        string spoolFolder,
        int parallelism,
        Func<int, SpooledMessage, CancellationToken, Task> store,
        Func<int, string, CancellationToken, Task> refused,
        CancellationToken cancellationToken)
    {
        _spoolFolder = spoolFolder;
        _store = store;
        _refused = refused;
        _failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Room for one message waiting per worker: enough to keep them busy, few enough that spool files stay few.
        _queue = Channel.CreateBounded<(int, SpooledMessage?, string?)>(new BoundedChannelOptions(parallelism) { SingleWriter = true });
        _workers = Task.WhenAll(Enumerable.Range(0, parallelism).Select(_ => Task.Run(WorkAsync)));
    }

    /// <summary>Cancelled when a store failed: the session should stop retrieving.</summary>
    public CancellationToken Failed => _failed.Token;

    public Stream Open(int position)
    {
        var writer = SpoolWriter.Create(_spoolFolder);
        _writing[position] = writer;
        return writer.Content;
    }

    public async ValueTask CompletedAsync(int position, CancellationToken cancellationToken)
    {
        var message = _writing.Remove(position, out var writer)
            ? writer.Complete()
            : throw new InvalidOperationException($"Message {position} was completed without being opened.");
        Queued(message.Size);
        try
        {
            await _queue.Writer.WriteAsync((position, message, null), cancellationToken);
        }
        catch
        {
            Done(message.Size);
            message.Discard();
            throw;
        }
    }

    public async ValueTask RefusedAsync(int position, string reason, CancellationToken cancellationToken)
    {
        if (_writing.Remove(position, out var writer))
        {
            writer.Dispose();
        }

        Queued(0);
        try
        {
            await _queue.Writer.WriteAsync((position, null, reason), cancellationToken);
        }
        catch
        {
            Done(0);
            throw;
        }
    }

    /// <summary>
    /// Waits until the spooled messages not yet stored take less than <paramref name="bytes"/>, so that a run of large
    /// messages keeps the spool folder to about that much (and the messages in hand) rather than to a queue of them.
    /// </summary>
    public async Task WaitForRoomAsync(long bytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task stored;
            lock (_sync)
            {
                if (_outstandingBytes < bytes)
                {
                    return;
                }

                stored = _stored.Task;
            }

            await stored.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Waits until every message handed over so far is stored (or failed), without ending the pipeline: a message
    /// retried after a death is stored before the next one starts, so that it alone is in flight if it kills the run again.
    /// </summary>
    public Task WaitUntilIdleAsync()
    {
        lock (_sync)
        {
            return _idle.Task;
        }
    }

    /// <summary>Waits until every message handed over is stored; rethrows the first store failure.</summary>
    public async Task DrainAsync()
    {
        DiscardUnfinished();
        _queue.Writer.TryComplete();
        await _workers;
        if (_failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_failure);
        }
    }

    public async ValueTask DisposeAsync()
    {
        DiscardUnfinished();
        _queue.Writer.TryComplete();
        await _failed.CancelAsync();
        await _workers;
        while (_queue.Reader.TryRead(out var left))
        {
            left.Message?.Discard();
        }

        _failed.Dispose();
    }

    /// <summary>Messages whose retrieval was cut off: their spool files go.</summary>
    private void DiscardUnfinished()
    {
        foreach (var writer in _writing.Values)
        {
            writer.Dispose();
        }

        _writing.Clear();
    }

    private async Task WorkAsync()
    {
        await foreach (var (position, message, refusal) in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            if (_failed.IsCancellationRequested)
            {
                message?.Discard();
                Done(message?.Size ?? 0);
                continue;
            }

            try
            {
                await (message is not null ? _store(position, message, _failed.Token) : _refused(position, refusal!, _failed.Token));
            }
            catch (Exception e)
            {
                message?.Discard();
                Interlocked.CompareExchange(ref _failure, e, null);
                await _failed.CancelAsync();
            }
            finally
            {
                Done(message?.Size ?? 0);
            }
        }
    }

    private static TaskCompletionSource NewIdle(bool completed)
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            idle.SetResult();
        }

        return idle;
    }

    private void Queued(long bytes)
    {
        lock (_sync)
        {
            _outstandingBytes += bytes;
            if (_outstanding++ == 0)
            {
                _idle = NewIdle(completed: false);
            }
        }
    }

    private void Done(long bytes)
    {
        TaskCompletionSource stored;
        lock (_sync)
        {
            _outstandingBytes -= bytes;
            if (--_outstanding == 0)
            {
                _idle.SetResult();
            }

            (stored, _stored) = (_stored, NewIdle(completed: false));
        }

        stored.SetResult();
    }
}
