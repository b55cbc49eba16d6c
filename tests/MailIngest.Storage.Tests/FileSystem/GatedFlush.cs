using MailIngest.Storage.FileSystem;

namespace MailIngest.Storage.Tests.FileSystem;

/// <summary>
/// The FileSystem store's flush (a real <c>syncfs</c>) with a gate: the first flush waits until the test lets it end,
/// so that a test can call another persist while it is under way.
/// </summary>
internal sealed class GatedFlush : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _firstBegun = new(0);
    private readonly ManualResetEventSlim _firstMayEnd = new();
    private int _count;

    /// <summary>How many flushes have begun.</summary>
    public int Count => Volatile.Read(ref _count);

    public void Run(string root)
    {
        if (Interlocked.Increment(ref _count) == 1)
        {
            _firstBegun.Release();
            if (!_firstMayEnd.Wait(Patience))
            {
                throw new TimeoutException("The test never let the first flush end.");
            }
        }

        FileSystemSync.Flush(root);
    }

    public async Task WaitUntilTheFirstHasBegunAsync()
    {
        if (!await _firstBegun.WaitAsync(Patience))
        {
            throw new TimeoutException("No flush began.");
        }
    }

    public void LetTheFirstEnd() => _firstMayEnd.Set();

    public void Dispose()
    {
        _firstMayEnd.Set();
        _firstBegun.Dispose();
        _firstMayEnd.Dispose();
    }
}
