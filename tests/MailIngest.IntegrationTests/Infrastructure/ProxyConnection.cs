using System.Net.Sockets;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>One client connection of a <see cref="CuttingProxy"/> and its connection to the target.</summary>
internal sealed class ProxyConnection : IDisposable
{
    private const int BufferSize = 16 * 1024;

    private readonly Socket _client;
    private readonly Socket _server;
    private readonly ProxyFault? _fault;
    private readonly CuttingProxy _owner;
    private readonly Lock _gate = new();
    private State _state = State.Forwarding;

    public ProxyConnection(Socket client, Socket server, ProxyFault? fault, CuttingProxy owner)
    {
        _client = client;
        _server = server;
        _fault = fault;
        _owner = owner;
    }

    private enum State
    {
        Forwarding,
        Stalled,
        Trickling,
        Closed,
    }

    public bool IsStalled
    {
        get
        {
            lock (_gate)
            {
                return _state == State.Stalled;
            }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            PumpAsync(_client, _server, ProxyDirection.ClientToServer, cancellationToken),
            PumpAsync(_server, _client, ProxyDirection.ServerToClient, cancellationToken));
        Dispose();
    }

    /// <summary>Closes both sockets; each peer sees the connection drop.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_state == State.Closed)
            {
                return;
            }

            _state = State.Closed;
        }

        Close(_client);
        Close(_server);
    }

    private async Task PumpAsync(Socket source, Socket destination, ProxyDirection direction, CancellationToken cancellationToken)
    {
        var trigger = _fault?.Direction == direction ? _fault.CreateTrigger() : null;
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                var read = await source.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    OnEndOfStream(direction);
                    return;
                }

                if (IsStalled)
                {
                    // A stalled peer swallows everything; reading on lets us notice when the client goes away.
                    continue;
                }

                if (IsTrickling && direction == _fault!.Direction)
                {
                    await TrickleAsync(destination, buffer.AsMemory(0, read), direction, cancellationToken);
                    continue;
                }

                var (forward, fires) = trigger?.Next(buffer.AsSpan(0, read)) ?? (buffer[..read], false);
                if (forward.Length > 0)
                {
                    await SendAllAsync(destination, forward, cancellationToken);
                    _owner.Forwarded(direction, forward);
                }

                if (fires && Fire())
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The other pump, a fault or the proxy's disposal closed the sockets under us.
            Dispose();
        }
    }

    /// <summary>Applies the fault; returns true when the connection is gone.</summary>
    private bool Fire()
    {
        var action = _fault!.Action;
        _owner.CountFault(action);
        if (action == ProxyFaultAction.Cut)
        {
            Dispose();
            return true;
        }

        lock (_gate)
        {
            if (_state == State.Forwarding)
            {
                _state = action == ProxyFaultAction.Trickle ? State.Trickling : State.Stalled;
            }
        }

        return false;
    }

    private bool IsTrickling
    {
        get
        {
            lock (_gate)
            {
                return _state == State.Trickling;
            }
        }
    }

    private async Task TrickleAsync(Socket destination, ReadOnlyMemory<byte> bytes, ProxyDirection direction, CancellationToken cancellationToken)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            await Task.Delay(_fault!.TrickleDelay, cancellationToken);
            var one = bytes.Slice(i, 1).ToArray();
            await SendAllAsync(destination, one, cancellationToken);
            _owner.Forwarded(direction, one);
        }
    }

    private void OnEndOfStream(ProxyDirection direction)
    {
        // While stalled, a server that gives up must not wake the client: it should keep waiting until it
        // is killed or times out. Otherwise an end of stream on one side ends the whole connection.
        if (direction == ProxyDirection.ServerToClient && IsStalled)
        {
            return;
        }

        Dispose();
    }

    private static async Task SendAllAsync(Socket destination, byte[] data, CancellationToken cancellationToken)
    {
        var sent = 0;
        while (sent < data.Length)
        {
            sent += await destination.SendAsync(data.AsMemory(sent), SocketFlags.None, cancellationToken);
        }
    }

    private static void Close(Socket socket)
    {
        try
        {
            // Shutdown first so bytes already forwarded reach the peer ahead of the FIN.
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already disconnected.
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }

        socket.Dispose();
    }
}
