using System.Diagnostics;
using System.Globalization;

namespace MailIngest.Pop3.Protocol;

/// <summary>
/// Bounds one command's conversation with the server (issue #12 item 9): each read or write may wait at most the idle
/// timeout (the mailbox's <c>Timeout</c>), and all of them together at most the command's allowance, so that a server
/// trickling a byte a minute fails the command instead of holding the run and its lock for ever. Only time spent
/// waiting on the network counts: a consumer that stores a message slowly between two reads does not use it up. When
/// either limit passes, or the caller cancels, <c>onExpiry</c> closes the connection, so that no read lingers.
/// </summary>
internal sealed class Pop3Deadline : IDisposable
{
    /// <summary>
    /// The slowest transfer a command is allowed, beyond its idle timeout: 32 KiB/s, a 256 kbit/s line. A real mail
    /// server on any network a mailbox is polled over sends far faster, so this only ever stops a server that stalls
    /// without going quiet; it still lets a 274 MB message take 2.4 hours.
    /// </summary>
    public const int MinimumBytesPerSecond = 32 * 1024;

    private readonly string _what;
    private readonly TimeSpan _idle;
    private readonly TimeSpan _allowance;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenRegistration _onExpiry;
    private TimeSpan _left;
    private bool _boundByIdle;

    /// <param name="what">The command, for the timeout's message ("RETR 3").</param>
    /// <param name="idle">The longest one read or write may wait.</param>
    /// <param name="allowance">The longest all reads and writes of the command may wait together.</param>
    /// <param name="onExpiry">Closes the connection when a limit passes or the caller cancels; null when there is none yet.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public Pop3Deadline(string what, TimeSpan idle, TimeSpan allowance, Action? onExpiry, CancellationToken cancellationToken)
    {
        _what = what;
        _idle = idle;
        _allowance = allowance;
        _left = allowance;
        _caller = cancellationToken;
        _timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (onExpiry is not null)
        {
            _onExpiry = _timer.Token.Register(onExpiry);
        }
    }

    /// <summary>The allowance of a command that moves <paramref name="octets"/>: the idle timeout, plus their time at the minimum rate.</summary>
    public static TimeSpan Allowance(TimeSpan timeout, long octets) =>
        timeout + TimeSpan.FromSeconds((double)Math.Max(0, octets) / MinimumBytesPerSecond);

    /// <summary>
    /// Runs one read or write under the limits; a limit that passes throws <see cref="TimeoutException"/>, even when it
    /// passes as the read completes: the connection is closed by then, so what was read cannot be used.
    /// </summary>
    public async ValueTask<T> RunAsync<T>(Func<CancellationToken, ValueTask<T>> io)
    {
        var started = Arm();
        T result;
        try
        {
            result = await io(_timer.Token);
        }
        catch (Exception e) when (_timer.IsCancellationRequested)
        {
            throw Expired(e);
        }
        finally
        {
            Disarm(started);
        }

        return _timer.IsCancellationRequested ? throw Expired(null) : result;
    }

    /// <inheritdoc cref="RunAsync{T}"/>
    public async ValueTask RunAsync(Func<CancellationToken, ValueTask> io) =>
        await RunAsync(async token =>
        {
            await io(token);
            return true;
        });

    public void Dispose()
    {
        _onExpiry.Dispose();
        _timer.Dispose();
    }

    private long Arm()
    {
        if (_timer.IsCancellationRequested)
        {
            throw Expired(null);
        }

        if (_left <= TimeSpan.Zero)
        {
            _boundByIdle = false;
            throw Expired(null);
        }

        _boundByIdle = _idle <= _left;
        _timer.CancelAfter(_boundByIdle ? _idle : _left);
        return Stopwatch.GetTimestamp();
    }

    private void Disarm(long started)
    {
        _left -= Stopwatch.GetElapsedTime(started);
        if (!_timer.IsCancellationRequested)
        {
            // Time between reads is the consumer's, not the server's.
            _timer.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The caller's cancellation as itself; a passed limit as a timeout that names the command and the limit.</summary>
    private Exception Expired(Exception? cause)
    {
        if (_caller.IsCancellationRequested)
        {
            return new OperationCanceledException(_caller);
        }

        var message = _boundByIdle
            ? string.Create(CultureInfo.InvariantCulture, $"{_what}: nothing came for {_idle} (the mailbox's Timeout)")
            : string.Create(
                CultureInfo.InvariantCulture,
                $"{_what} did not complete within {TimeSpan.FromSeconds(Math.Round(_allowance.TotalSeconds))}, which allows the mailbox's Timeout plus {MinimumBytesPerSecond / 1024} KiB/s for what it transfers");
        return new TimeoutException(message, cause);
    }
}
