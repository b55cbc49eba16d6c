using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Azure.Core;
using Azure.Storage.Blobs;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>The Azurite services a test can start, each its own process from the same npm package.</summary>
public enum AzuriteService
{
    Blob,
    Queue,
}

/// <summary>
/// A private Azurite blob (or queue) service on a free loopback port with its data in one temp folder; it can be stopped and
/// started again on the same port and data, or frozen with SIGSTOP, for outage tests. Disposing it kills it and
/// deletes the folder. <c>scripts/test.sh</c> installs Azurite into <c>.work/tools</c> of the repository.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account; it guards nothing but local test data.</summary>
    public const string AccountName = "devstoreaccount1";

    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const int MaxPortAttempts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly string _root;
    private readonly OutputLines _output = new();
    private Process? _process;

    private AzuriteServer(string root, int port, AzuriteService service)
    {
        _root = root;
        Port = port;
        Service = service;
    }

    public AzuriteService Service { get; }

    /// <summary>The server's folder (its data), deleted when it stops.</summary>
    public string Root => _root;

    public string Host { get; } = "127.0.0.1";

    public int Port { get; }

    public string BlobEndpoint => $"http://{Host}:{Port}/{AccountName}";

    public string QueueEndpoint => $"http://{Host}:{Port}/{AccountName}";

    public string ConnectionString => Service == AzuriteService.Blob
        ? $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};"
        : $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};QueueEndpoint={QueueEndpoint};";

    /// <summary>Starts a server and waits until it answers; throws with its output if it does not.</summary>
    public static async Task<AzuriteServer> StartAsync(AzuriteService service = AzuriteService.Blob)
    {
        for (var attempt = 1; ; attempt++)
        {
            var root = Path.Combine(Path.GetTempPath(), "mailingest-azurite-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(root);
            var server = new AzuriteServer(root, FreePort.Find(), service);
            try
            {
                await server.StartAsync(CancellationToken.None);
                return server;
            }
            catch (InvalidOperationException) when (attempt < MaxPortAttempts && server._output.ToString().Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                // Someone bound the free port between FreePort.Find and Azurite's listen: try another.
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>A client for the test's own reads and checks, with quick retries so a test never waits long on a frozen server.</summary>
    public BlobContainerClient Container(string name)
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.Mode = RetryMode.Fixed;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return new BlobServiceClient(ConnectionString, options).GetBlobContainerClient(name);
    }

    /// <summary>Stops the server cleanly (SIGTERM, so it saves its data); <see cref="StartAsync(CancellationToken)"/> brings it back.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            await Teardown.StopProcessAsync(process, StopTimeout, _ =>
            {
                Signal(UnixSignal.Terminate);
                return Task.CompletedTask;
            });
        }
    }

    /// <summary>Starts the server (again) on the same port and data, and waits until it answers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        TestLane.RequireIntegration("Azurite");
        _process?.Dispose();
        var info = new ProcessStartInfo(FindExecutable(Service == AzuriteService.Blob ? "azurite-blob" : "azurite-queue"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
        {
            Service == AzuriteService.Blob ? "--blobHost" : "--queueHost", Host,
            Service == AzuriteService.Blob ? "--blobPort" : "--queuePort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--location", _root, "--skipApiVersionCheck", "--disableTelemetry", "--silent",
        })
        {
            info.ArgumentList.Add(arg);
        }

        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => _output.Append(e.Data);
        _process.ErrorDataReceived += (_, e) => _output.Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilListeningAsync(cancellationToken);
    }

    /// <summary>Freezes the server with SIGSTOP: connections are still accepted by the kernel, but nothing answers.</summary>
    public void Freeze() => Signal(UnixSignal.Stop);

    public void Thaw() => Signal(UnixSignal.Continue);

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            try
            {
                // SIGKILL ends a frozen process too; the data is thrown away with the folder.
                await Teardown.KillProcessAsync(process);
            }
            finally
            {
                process.Dispose();
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans the temp folder eventually.
        }
    }

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} at start:\n{_output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(Host, Port, cancellationToken);
                if (_output.ToString().Contains("successfully listens", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new InvalidOperationException($"Azurite did not listen on {Host}:{Port} within {StartTimeout}:\n{_output}");
    }

    private void Signal(UnixSignal signal)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        ProcessSignals.Send(process.Id, signal);
    }

    /// <summary>Azurite as scripts/test.sh installs it: <c>.work/tools/node_modules/.bin/azurite-blob</c> (or <c>azurite-queue</c>) under the repository root.</summary>
    private static string FindExecutable(string name)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MailIngest.sln")))
            {
                var path = Path.Combine(folder.FullName, ".work", "tools", "node_modules", ".bin", name);
                return File.Exists(path)
                    ? path
                    : throw new InvalidOperationException($"Azurite is not installed at {path}: run scripts/test.sh, which installs it with npm.");
            }
        }

        throw new InvalidOperationException($"No MailIngest.sln above {AppContext.BaseDirectory}: cannot find the repository's Azurite.");
    }
}
