using System.Diagnostics;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>The real <c>mailingest</c> program, run as its own process (so crash tests can kill it) from the test's output folder.</summary>
public sealed class MailIngestProcess : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly OutputLines _stdout = new();
    private readonly OutputLines _stderr = new();

    private MailIngestProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => _stdout.Append(e.Data);
        _process.ErrorDataReceived += (_, e) => _stderr.Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <summary>Starts <c>mailingest</c>; the caller owns the process (<c>IngestWorkspace.Start</c> does that for the integration tests).</summary>
    public static MailIngestProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mailingest.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The parent's MailIngest__ variables must not leak into the child's configuration.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MailIngest__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new MailIngestProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start."));
    }

    /// <summary>Runs <c>mailingest</c> to its end.</summary>
    public static async Task<RunOutput> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        await using var process = Start(workingDirectory, environment, args);
        return await process.WaitAsync(DefaultTimeout);
    }

    public async Task<RunOutput> WaitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            await Teardown.KillProcessAsync(_process);
            throw new TimeoutException($"mailingest did not finish within {timeout}.\nstdout:\n{_stdout}\nstderr:\n{_stderr}");
        }

        // The parameterless wait drains the asynchronous output readers.
        await _process.WaitForExitAsync(CancellationToken.None);
        return new RunOutput(_process.ExitCode, _stdout.ToString(), _stderr.ToString());
    }

    public void KillHard() => _process.Kill(entireProcessTree: true);

    /// <summary>Sends SIGTERM, as Kubernetes does to stop a pod.</summary>
    public void Terminate() => ProcessSignals.Send(_process.Id, UnixSignal.Terminate);

    /// <summary>What the process has written to standard error so far (its log lines).</summary>
    public string Stderr => _stderr.ToString();

    /// <summary>Kills the process unless it has ended, so a failed test leaves no <c>mailingest run</c> behind.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Teardown.KillProcessAsync(_process);
        }
        finally
        {
            _process.Dispose();
        }
    }
}

/// <summary>How a <c>mailingest</c> process ended.</summary>
public sealed record RunOutput(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Exit code 137 is how a shell reports SIGKILL; .NET reports the signal as exit code 137 too.</summary>
    public bool Killed => ExitCode == 137;

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
