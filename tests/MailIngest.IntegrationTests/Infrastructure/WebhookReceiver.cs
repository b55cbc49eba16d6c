using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A webhook endpoint on loopback, as a consumer would write it: it checks each request's Standard Webhooks signature
/// with its own HMAC (not the product's code), records the CloudEvents it took, and answers what the test says.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    /// <summary>The signing secret: <c>whsec_</c> and base64 of 32 fixed bytes; it guards nothing but test data.</summary>
    public static readonly string Secret = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(n => (byte)n).ToArray());

    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private readonly LoopbackHttpServer _server;
    private int _requests;

    public WebhookReceiver(string secretFolder)
    {
        SecretFile = Path.Combine(secretFolder, "webhook-secret");
        File.WriteAllText(SecretFile, Secret + "\n");
        _server = new LoopbackHttpServer(RespondAsync);
    }

    public string Url => _server.BaseAddress + "/events";

    public string SecretFile { get; }

    /// <summary>The status to answer the n-th request with (from 1); 200 by default.</summary>
    public Func<int, int> Status { get; set; } = _ => 200;

    /// <summary>The events answered with a 2xx, in the order they came (an event sent twice is here twice).</summary>
    public ConcurrentQueue<JsonElement> Accepted { get; } = new();

    /// <summary>Requests whose signature, timestamp or headers did not hold: always none.</summary>
    public ConcurrentQueue<string> Rejected { get; } = new();

    public int Requests => _requests;

    public IReadOnlySet<string> AcceptedIds => Accepted.Select(e => e.GetProperty("id").GetString()!).ToHashSet(StringComparer.Ordinal);

    /// <summary>The <c>MailIngest:Events</c> settings that send events here.</summary>
    public object Settings(object? overrides = null) => new
    {
        Events = Merge(new Dictionary<string, object> { ["Sink"] = "Webhook", ["Url"] = Url, ["SecretFile"] = SecretFile }, overrides),
    };

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static Dictionary<string, object> Merge(Dictionary<string, object> settings, object? overrides)
    {
        foreach (var property in overrides?.GetType().GetProperties() ?? [])
        {
            settings[property.Name] = property.GetValue(overrides)!;
        }

        return settings;
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        var number = Interlocked.Increment(ref _requests);
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        var bytes = body.ToArray();
        if (Verify(context.Request, bytes) is { } problem)
        {
            Rejected.Enqueue(problem);
            context.Response.StatusCode = 401;
            return;
        }

        var status = Status(number);
        if (status is >= 200 and <= 299)
        {
            Accepted.Enqueue(JsonDocument.Parse(bytes).RootElement.Clone());
        }

        context.Response.StatusCode = status;
    }

    private static string? Verify(HttpListenerRequest request, byte[] body)
    {
        var (id, timestamp, signatures) = (request.Headers["webhook-id"], request.Headers["webhook-timestamp"], request.Headers["webhook-signature"]);
        if (id is null || timestamp is null || signatures is null)
        {
            return "a webhook-* header is missing";
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance)
        {
            return $"webhook-timestamp {timestamp} is not within {Tolerance} of now";
        }

        var key = Convert.FromBase64String(Secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, (byte[])[.. Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. body]));
        if (!signatures.Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(expected))))
        {
            return $"no signature of {signatures} matches";
        }

        if (request.ContentType?.StartsWith("application/cloudevents+json", StringComparison.Ordinal) != true)
        {
            return $"Content-Type {request.ContentType} is not structured CloudEvents";
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString() == id ? null : "webhook-id is not the event's id";
    }
}
