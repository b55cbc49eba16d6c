using System.Collections.Concurrent;
using System.Globalization;
using MailIngest.Configuration;
using MailIngest.Sources;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;

namespace MailIngest.Ingestion;

/// <summary>
/// The Polly pipeline around each session of a mailbox: retry (exponential backoff with jitter, bounded attempts and a
/// bounded window) outside a circuit breaker. One pipeline per mailbox, kept for the life of the process: a singleton, so
/// that the long-running scheduler keeps each mailbox's breaker state from one run to the next (for <c>once</c> there is
/// only one run, and the breaker merely stops a run whose every attempt failed).
/// </summary>
internal sealed class MailboxResilience(TimeProvider time, ILogger<MailboxResilience> logger) : IDisposable, IAsyncDisposable
{
    /// <summary>The longest wait between two attempts, however many have failed.</summary>
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    private static readonly ResiliencePropertyKey<SessionAttempts> AttemptsKey = new("MailIngest.SessionAttempts");

    private readonly ResiliencePipelineRegistry<string> _pipelines = new();
    private readonly ConcurrentDictionary<string, CircuitBreakerStateProvider> _breakers = new(StringComparer.Ordinal);

    public void Dispose() => _pipelines.Dispose();

    public ValueTask DisposeAsync() => _pipelines.DisposeAsync();

    /// <summary>
    /// Whether the mailbox's circuit is closed (or no session was tried yet): a session opened before the pipeline runs
    /// it (<see cref="SessionOpener"/>) must not get past an open or half-open circuit.
    /// </summary>
    public bool IsClosed(string mailbox) => !_breakers.TryGetValue(mailbox, out var breaker) || breaker.CircuitState == CircuitState.Closed;

    /// <summary>Runs <paramref name="session"/> (one whole session: connect, list, work, QUIT) until it succeeds or may not be retried.</summary>
    public async Task ExecuteAsync(
        string mailbox,
        MailboxOptions options,
        SessionAttempts attempts,
        Func<CancellationToken, Task> session,
        CancellationToken cancellationToken)
    {
        var pipeline = _pipelines.GetOrAddPipeline(mailbox, builder => Configure(builder, mailbox, options));
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(AttemptsKey, attempts);
        try
        {
            await pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    var attempts = ctx.Properties.GetValue(AttemptsKey, null!);
                    await attempts.WaitForLoginDelayAsync(ctx.CancellationToken);
                    await state(ctx.CancellationToken);
                },
                context,
                session);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private void Configure(ResiliencePipelineBuilder builder, string mailbox, MailboxOptions options)
    {
        builder.TimeProvider = time;
        if (options.RetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.RetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && args.Context.Properties.GetValue(AttemptsKey, null!).MayRetry(e, options.RetryWindow)),
                OnRetry = args =>
                {
                    var attempts = args.Context.Properties.GetValue(AttemptsKey, null!);
                    attempts.Retries++;
                    Log.Retrying(logger, mailbox, Describe(args.Outcome.Exception!), args.RetryDelay, args.AttemptNumber + 1, options.RetryAttempts);
                    return ValueTask.CompletedTask;
                },
            });
        }

        var breaker = new CircuitBreakerStateProvider();
        _breakers[mailbox] = breaker;
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            StateProvider = breaker,
            // Opens only when every attempt of a whole run failed: a run that recovers by reconnecting never trips it.
            FailureRatio = 1.0,
            MinimumThroughput = Math.Max(2, options.RetryAttempts + 1),
            SamplingDuration = options.RetryWindow + MaxRetryDelay,
            BreakDuration = options.CircuitBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is MailServerException),
            OnOpened = args =>
            {
                Log.CircuitOpened(logger, mailbox, args.BreakDuration);
                return ValueTask.CompletedTask;
            },
        });
    }

    /// <summary>One line for an operator: the server's own failure messages already name the server.</summary>
    internal static string Describe(Exception e) => e switch
    {
        MailServerException => e.Message,
        BrokenCircuitException b => $"the mailbox's circuit is open after repeated failures; it is not tried again for {b.RetryAfter?.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) ?? "a while"} (CircuitBreakDuration)",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}

/// <summary>
/// What the attempts of one run have in common: when it started, how many reconnects it made, and the server's
/// LOGIN-DELAY, which every reconnect honours (RFC 2449: a client must not log in again sooner).
/// </summary>
internal sealed class SessionAttempts(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private long? _lastLogin;
    private TimeSpan _loginDelay;

    public int Retries { get; set; }

    /// <summary>True once a session listed the mailbox: later sessions of the run are reconnects.</summary>
    public bool Listed { get; set; }

    public void LoggedIn(TimeSpan? loginDelay)
    {
        _lastLogin = time.GetTimestamp();
        _loginDelay = loginDelay ?? TimeSpan.Zero;
    }

    public TimeSpan LoginDelayLeft =>
        _lastLogin is { } login && _loginDelay > TimeSpan.Zero
            ? TimeSpan.FromTicks(Math.Max(0, (_loginDelay - time.GetElapsedTime(login)).Ticks))
            : TimeSpan.Zero;

    /// <summary>Only transient failures are retried, and only while the run's retry window (and the login delay) allow.</summary>
    public bool MayRetry(Exception e, TimeSpan window)
    {
        if (e is not MailServerException { Failure: MailServerFailure.Transient })
        {
            return false;
        }

        var left = window - time.GetElapsedTime(_started);
        return left > TimeSpan.Zero && LoginDelayLeft < left;
    }

    public async Task WaitForLoginDelayAsync(CancellationToken cancellationToken)
    {
        var wait = LoginDelayLeft;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken);
        }
    }
}
