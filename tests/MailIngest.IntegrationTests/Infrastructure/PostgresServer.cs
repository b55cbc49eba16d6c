using System.Diagnostics;
using System.Text;
using Npgsql;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A private PostgreSQL for clustering tests: a fresh cluster in a temp folder (initdb as user postgres, which
/// PostgreSQL requires), listening on a free loopback port, stopped and deleted on dispose.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _root;
    private readonly Process _process;
    private readonly OutputLines _output = new();

    private PostgresServer(string root, int port, Process process)
    {
        _root = root;
        Port = port;
        _process = process;
        _process.OutputDataReceived += (_, e) => _output.Append(e.Data);
        _process.ErrorDataReceived += (_, e) => _output.Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5";

    public static async Task<PostgresServer> StartAsync()
    {
        TestLane.RequireIntegration("PostgreSQL");
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The PostgreSQL test server runs on Linux only.");
        }

        var bin = FindBinaries();
        var root = Directory.CreateTempSubdirectory("mailingest-pg-").FullName;

        // PostgreSQL runs as user postgres and keeps its data and socket in the folder, so the folder is postgres's.
        using (var chown = Process.Start("chown", ["postgres:postgres", root]))
        {
            await chown.WaitForExitAsync();
        }
        await RunAsPostgresAsync(Path.Combine(bin, "initdb"), "-D", Path.Combine(root, "data"), "-A", "trust", "-U", "postgres", "--no-sync");

        var port = FreePort.Find();
        var info = PostgresStartInfo(
            Path.Combine(bin, "postgres"),
            "-D", Path.Combine(root, "data"),
            "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", root,
            "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off");
        var server = new PostgresServer(root, port, Process.Start(info)!);
        try
        {
            await server.WaitUntilReadyAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // SIGINT is PostgreSQL's "fast shutdown": end sessions, stop at once. It goes to the postmaster itself: runuser,
            // the process started, would pass a SIGTERM on (a "smart" shutdown, which waits for the clients to leave) and
            // kill it 2 s later, which leaves the server's shared memory segments in /dev/shm.
            await Teardown.StopProcessAsync(_process, TimeSpan.FromSeconds(15), _ =>
            {
                ProcessSignals.Send(PostmasterId() ?? _process.Id, UnixSignal.Interrupt);
                return Task.CompletedTask;
            });
        }
        finally
        {
            _process.Dispose();
        }

        Directory.Delete(_root, recursive: true);
    }

    /// <summary>The running postmaster's process ID, the first line of its pid file; null when it has none (it did not start).</summary>
    private int? PostmasterId()
    {
        try
        {
            var first = File.ReadLines(Path.Combine(_root, "data", "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (NpgsqlException e)
            {
                throw new InvalidOperationException($"PostgreSQL did not start on port {Port}: {e.Message}\n{_output}", e);
            }
        }
    }

    private static async Task RunAsPostgresAsync(string program, params string[] args)
    {
        using var process = Process.Start(PostgresStartInfo(program, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}):\n{await output}\n{await error}");
        }
    }

    /// <summary>PostgreSQL refuses to run as root, so it runs as the package's postgres user.</summary>
    private static ProcessStartInfo PostgresStartInfo(string program, params string[] args)
    {
        var info = new ProcessStartInfo("runuser") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-u", "postgres", "--", program }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private static string FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderDescending(StringComparer.Ordinal)
                .FirstOrDefault() ?? throw new InvalidOperationException("PostgreSQL's initdb was not found; scripts/test.sh installs the postgresql package.")
            : throw new InvalidOperationException("PostgreSQL is not installed; scripts/test.sh installs the postgresql package.");
}
