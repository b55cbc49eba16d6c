using System.Collections.Concurrent;
using System.Net;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>A loopback OTLP/HTTP endpoint that accepts every export and keeps the request paths and bodies.</summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;

    private OtlpReceiver() => _server = new LoopbackHttpServer(AcceptAsync);

    public string Endpoint => _server.BaseAddress;

    /// <summary>Every export received: the path (<c>/v1/metrics</c>, <c>/v1/traces</c>) and the protobuf body.</summary>
    public ConcurrentQueue<(string Path, byte[] Body)> Exports { get; } = new();

    public static OtlpReceiver Start() => new();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task AcceptAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        Exports.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-protobuf";
    }
}
