using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback TCP proxy for fault tests: forwards to a target and, when its <see cref="Fault"/> fires,
/// cuts a connection (both sides) or stalls it (sockets stay open, nothing moves).
/// </summary>
public sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, ProxyConnection> _connections = new();
    private readonly ConcurrentDictionary<int, Task> _handlers = new();
    private readonly TaskCompletionSource _firstFault = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _acceptLoop;
    private readonly System.Text.StringBuilder _clientText = new();
    private ProxyFault? _fault;
    private int _connectionCount;
    private long _bytesClientToServer;
    private long _bytesServerToClient;
    private int _cutCount;
    private int _stallCount;
    private bool _disposed;

    private CuttingProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync(_stopping.Token);
    }

    public string Host { get; } = "127.0.0.1";

    public int Port { get; }

    /// <summary>The fault for connections accepted from now on; null forwards faithfully.</summary>
    public ProxyFault? Fault
    {
        get => Volatile.Read(ref _fault);
        set => Volatile.Write(ref _fault, value);
    }

    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    public long BytesClientToServer => Interlocked.Read(ref _bytesClientToServer);

    public long BytesServerToClient => Interlocked.Read(ref _bytesServerToClient);

    public int CutCount => Volatile.Read(ref _cutCount);

    /// <summary>Everything the clients sent through the proxy so far, in order: the commands, to count them.</summary>
    public string ClientText
    {
        get
        {
            lock (_clientText)
            {
                return _clientText.ToString();
            }
        }
    }

    public int StallCount => Volatile.Read(ref _stallCount);

    /// <summary>Completes when a fault first fires, e.g. to kill a client process once it hangs in a stall.</summary>
    public Task FirstFault => _firstFault.Task;

    public static CuttingProxy Start(string targetHost, int targetPort)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetHost);
        return new CuttingProxy(targetHost, targetPort);
    }

    /// <summary>Ends the stall of every stalled connection by cutting it.</summary>
    public void CutStalledConnections()
    {
        foreach (var connection in _connections.Values.Where(c => c.IsStalled))
        {
            connection.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await _stopping.CancelAsync();
        }
        finally
        {
            // The port and the sockets are what the proxy owns: released even when a cancellation callback threw.
            _listener.Stop();
            foreach (var connection in _connections.Values)
            {
                connection.Dispose();
            }
        }

        try
        {
            await _acceptLoop;
            await Task.WhenAll(_handlers.Values);
        }
        finally
        {
            _stopping.Dispose();
        }
    }

    internal void Forwarded(ProxyDirection direction, ReadOnlySpan<byte> bytes)
    {
        if (direction == ProxyDirection.ClientToServer)
        {
            Interlocked.Add(ref _bytesClientToServer, bytes.Length);
            lock (_clientText)
            {
                _clientText.Append(System.Text.Encoding.Latin1.GetString(bytes));
            }
        }
        else
        {
            Interlocked.Add(ref _bytesServerToClient, bytes.Length);
        }
    }

    internal void CountFault(ProxyFaultAction action)
    {
        Interlocked.Increment(ref action == ProxyFaultAction.Cut ? ref _cutCount : ref _stallCount);
        _firstFault.TrySetResult();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var number = Interlocked.Increment(ref _connectionCount);
            var fault = Fault;
            _handlers[number] = HandleAsync(client, number, fault?.AppliesTo(number) == true ? fault : null, cancellationToken);
        }
    }

    private async Task HandleAsync(Socket client, int number, ProxyFault? fault, CancellationToken cancellationToken)
    {
        var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, cancellationToken);
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException)
        {
            // A target that is down looks like a refused connection to the client.
            server.Dispose();
            client.Dispose();
            return;
        }

        using var connection = new ProxyConnection(client, server, fault, this);
        _connections[number] = connection;
        try
        {
            await connection.RunAsync(cancellationToken);
        }
        finally
        {
            _connections.TryRemove(number, out _);
        }
    }
}
