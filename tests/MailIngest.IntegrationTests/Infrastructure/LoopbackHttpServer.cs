using System.Net;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>An HTTP server on a free loopback port that hands each request to a test's handler, one at a time, until disposed.</summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerContext, Task> _respond;
    private readonly Task _loop;

    public LoopbackHttpServer(Func<HttpListenerContext, Task> respond)
    {
        _respond = respond;
        BaseAddress = $"http://127.0.0.1:{FreePort.Find()}";
        _listener.Prefixes.Add(BaseAddress + "/");
        _listener.Start();
        _loop = AcceptAsync();
    }

    /// <summary>The server's address without a trailing slash, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseAddress { get; }

    /// <summary>Stops listening; a handler's error surfaces here, after the port is released.</summary>
    /// <remarks>
    /// Close alone, not Stop then Close: each unregisters the prefix, and the managed listener binds the port afresh to
    /// unregister it a second time, which fails with "Address already in use" once another test has taken the port.
    /// </remarks>
    public async ValueTask DisposeAsync()
    {
        _listener.Close();
        await _loop;
    }

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            await _respond(context);
            context.Response.Close();
        }
    }
}
