using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// How fixtures end what they started, whatever else fails on the way: a process is killed (with its children) as the
/// last step of its stop, and every part of a composite fixture is disposed even when an earlier part throws. A teardown
/// that stopped at its first error once left ~180 servers running after a suite (docs/fresh-machine.md).
/// </summary>
internal static class Teardown
{
    /// <summary>How long a killed process may take to be gone before the teardown gives up and says so.</summary>
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs <paramref name="askToStop"/> and gives the process <paramref name="patience"/> to exit; then, in any case,
    /// kills what is left of it. An error of <paramref name="askToStop"/> is rethrown after the kill.
    /// </summary>
    public static async Task StopProcessAsync(Process process, TimeSpan patience, Func<CancellationToken, Task> askToStop)
    {
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            if (!process.HasExited)
            {
                await askToStop(timeout.Token);
                await process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // It did not stop in time: the kill below ends it.
        }
        finally
        {
            await KillProcessAsync(process);
        }
    }

    /// <summary>SIGKILL to the process and its children, unless it has exited; returns once it has.</summary>
    public static async Task KillProcessAsync(Process process)
    {
        process.Kill(entireProcessTree: true);
        using var timeout = new CancellationTokenSource(KillTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Process {process.Id} still runs (or holds its output open) {KillTimeout.TotalSeconds:0} s after SIGKILL.");
        }
    }

    /// <summary>
    /// Disposes each of <paramref name="owned"/> in order (nulls are skipped: a fixture that failed to start has fewer
    /// parts), every one even when an earlier one throws; then rethrows the error, or all of them.
    /// </summary>
    public static async Task DisposeAllAsync(params IAsyncDisposable?[] owned)
    {
        var errors = new List<Exception>();
        foreach (var part in owned)
        {
            try
            {
                if (part is not null)
                {
                    await part.DisposeAsync();
                }
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }

        if (errors.Count == 1)
        {
            ExceptionDispatchInfo.Throw(errors[0]);
        }

        if (errors.Count > 1)
        {
            throw new AggregateException("Several parts of a fixture failed to stop; each was still stopped.", errors);
        }
    }
}
