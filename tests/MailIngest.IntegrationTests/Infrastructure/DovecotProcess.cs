using System.Diagnostics;
using System.Text;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>One foreground <c>dovecot -F</c> master process and the way to stop it cleanly.</summary>
internal sealed class DovecotProcess
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly string _configFile;
    private readonly OutputLines _output = new();

    private DovecotProcess(Process process, string configFile)
    {
        _process = process;
        _configFile = configFile;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>What dovecot printed itself (config errors land here before log_path is open).</summary>
    public string Output => _output.ToString();

    public static DovecotProcess Start(string configFile)
    {
        TestLane.RequireIntegration("Dovecot");
        var startInfo = new ProcessStartInfo(FindExecutable("dovecot"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("-F");
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(configFile);

        var process = new Process { StartInfo = startInfo };
        var started = new DovecotProcess(process, configFile);
        process.OutputDataReceived += (_, e) => started._output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started._output.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Asks the master to shut down with its children; kills the tree if it does not, or if asking failed.</summary>
    public async Task StopAsync()
    {
        try
        {
            await Teardown.StopProcessAsync(_process, StopTimeout, RunDoveadmStopAsync);
        }
        finally
        {
            _process.Dispose();
        }
    }

    public static string FindExecutable(string name)
    {
        // dovecot lives in /usr/sbin, which a test runner's PATH does not always include.
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin"]);
        foreach (var folder in folders)
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"'{name}' was not found. Install Dovecot with 'apt-get install dovecot-pop3d' (scripts/test.sh does this).");
    }

    private async Task RunDoveadmStopAsync(CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(FindExecutable("doveadm"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(_configFile);
        startInfo.ArgumentList.Add("stop");
        using var doveadm = Process.Start(startInfo)
            ?? throw new InvalidOperationException("doveadm did not start.");
        try
        {
            await doveadm.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            // A hung doveadm must not hang the test run; the caller kills the master anyway.
            await Teardown.KillProcessAsync(doveadm);
        }
    }
}
