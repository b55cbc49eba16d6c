using System.Diagnostics;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// The <c>mailingest</c> command line run as its own process (so crash tests can kill it) from the test's output folder:
/// by default the test host (tests/MailIngest.TestHost), which is the shipped CLI plus the fault injection of
/// <c>MAILINGEST_FAULT_INJECTION</c>; <see cref="RunShippedAsync"/> runs the shipped <c>mailingest</c> itself. When
/// <c>MAILINGEST_TEST_HOST</c> names a file, the test host is run from there, compiled ahead of time as <c>mailingest</c>
/// ships, instead of as the test build's assembly on the shared runtime (docs/testing.md, "What the tests run").
/// </summary>
public sealed class MailIngestProcess : IAsyncDisposable
{
    private const string TestHost = "mailingest-testhost.dll";
    private const string Shipped = "mailingest.dll";
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

    /// <summary>Starts the test host; the caller owns the process (<c>IngestWorkspace.Start</c> does that for the integration tests).</summary>
    public static MailIngestProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Start(TestHost, workingDirectory, environment, args);

    /// <summary>Runs the test host to its end.</summary>
    public static Task<RunOutput> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunToEndAsync(TestHost, workingDirectory, environment, args);

    /// <summary>Runs the shipped <c>mailingest</c> (src/MailIngest) to its end, for tests of what ships.</summary>
    public static Task<RunOutput> RunShippedAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunToEndAsync(Shipped, workingDirectory, environment, args);

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

    private static async Task<RunOutput> RunToEndAsync(
        string program, string workingDirectory, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        await using var process = Start(program, workingDirectory, environment, args);
        return await process.WaitAsync(DefaultTimeout);
    }

    private static MailIngestProcess Start(string program, string workingDirectory, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        TestLane.RequireIntegration(program);
        var compiled = program == TestHost && Environment.GetEnvironmentVariable("MAILINGEST_TEST_HOST") is { Length: > 0 } file ? file : null;
        var info = new ProcessStartInfo(compiled ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (compiled is null)
        {
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program));
        }

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

        return new MailIngestProcess(Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start."));
    }
}

/// <summary>How a <c>mailingest</c> process ended.</summary>
public sealed record RunOutput(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Exit code 137 is how a shell reports SIGKILL; .NET reports the signal as exit code 137 too.</summary>
    public bool Killed => ExitCode == 137;

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
