using System.Diagnostics;
using System.Globalization;

namespace MailIngest.Imap;

/// <summary>
/// Bounds one IMAP command as a whole, besides MailKit's <c>Timeout</c> on each socket read and write (the mailbox's
/// <c>Timeout</c>): the command may take that timeout plus its bytes at 32 KiB/s, so that a server trickling a byte a
/// minute fails it instead of holding the run and its lock for ever (docs/architecture.md, "Fetch and store"). Time the
/// consumer spends storing a message between two reads is not the server's, and is <see cref="Pause">paused</see> out.
/// Cancelling a command makes MailKit drop the connection, so a passed deadline is a transient failure of the session.
/// </summary>
internal sealed class CommandDeadline : IDisposable
{
    /// <summary>The slowest transfer a command is allowed beyond its timeout: 32 KiB/s, as for POP3.</summary>
    public const int MinimumBytesPerSecond = 32 * 1024;

    private readonly string _what;
    private readonly TimeSpan _allowance;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _timer;
    private TimeSpan _left;
    private long _running;

    private CommandDeadline(string what, TimeSpan allowance, CancellationToken cancellationToken)
    {
        _what = what;
        _allowance = allowance;
        _left = allowance;
        _caller = cancellationToken;
        _timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Resume();
    }

    /// <summary>The token the command runs under: cancelled by the caller, or when the allowance is used up.</summary>
    public CancellationToken Token => _timer.Token;

    /// <summary>Runs <paramref name="command"/>, which moves about <paramref name="octets"/>, under its allowance.</summary>
    public static async Task<T> RunAsync<T>(
        string what, TimeSpan timeout, long octets, Func<CommandDeadline, Task<T>> command, CancellationToken cancellationToken)
    {
        using var deadline = new CommandDeadline(what, Allowance(timeout, octets), cancellationToken);
        try
        {
            return await command(deadline);
        }
        catch (OperationCanceledException e) when (deadline._timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{what} did not complete within {TimeSpan.FromSeconds(Math.Round(deadline._allowance.TotalSeconds))}, which allows the mailbox's Timeout plus {MinimumBytesPerSecond / 1024} KiB/s for what it transfers"),
                e);
        }
    }

    /// <inheritdoc cref="RunAsync{T}"/>
    public static Task RunAsync(string what, TimeSpan timeout, long octets, Func<CommandDeadline, Task> command, CancellationToken cancellationToken) =>
        RunAsync(
            what,
            timeout,
            octets,
            async deadline =>
            {
                await command(deadline);
                return true;
            },
            cancellationToken);

    public static TimeSpan Allowance(TimeSpan timeout, long octets) =>
        timeout + TimeSpan.FromSeconds((double)Math.Max(0, octets) / MinimumBytesPerSecond);

    /// <summary>Stops the clock while the consumer works (a message handed to the store, which may wait for earlier ones).</summary>
    public void Pause()
    {
        _left -= Stopwatch.GetElapsedTime(_running);
        if (!_timer.IsCancellationRequested)
        {
            _timer.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Starts the clock again with what is left of the allowance.</summary>
    public void Resume()
    {
        _running = Stopwatch.GetTimestamp();
        if (_left <= TimeSpan.Zero)
        {
            _timer.Cancel();
        }
        else if (!_caller.IsCancellationRequested)
        {
            _timer.CancelAfter(_left);
        }
    }

    public void Dispose() => _timer.Dispose();

    public override string ToString() => _what;
}
