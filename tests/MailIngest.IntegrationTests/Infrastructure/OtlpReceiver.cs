using System.Collections.Concurrent;
using System.Net;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>A loopback OTLP/HTTP endpoint that accepts every export and keeps the request paths and bodies.</summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    private OtlpReceiver(int port)
    {
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = AcceptAsync();
    }

    public string Endpoint { get; }

    /// <summary>Every export received: the path (<c>/v1/metrics</c>, <c>/v1/traces</c>) and the protobuf body.</summary>
    public ConcurrentQueue<(string Path, byte[] Body)> Exports { get; } = new();

    public static OtlpReceiver Start() => new(FreePort.Find());

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop;
        _listener.Close();
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
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            Exports.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}
