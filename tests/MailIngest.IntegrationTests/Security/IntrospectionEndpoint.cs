using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Security;

/// <summary>
/// A loopback OAuth2 token introspection endpoint (RFC 7662) for Dovecot's oauth2 passdb: a token the test activated
/// answers <c>{"active": true, "username": USER}</c>, any other <c>{"active": false}</c>, as an expired token would.
/// Every token asked about is kept in order, so a test can count login attempts and see which token was sent.
/// </summary>
internal sealed class IntrospectionEndpoint : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, string> _active = new(StringComparer.Ordinal);
    private readonly LoopbackHttpServer _server;

    private IntrospectionEndpoint()
    {
        _server = new LoopbackHttpServer(AnswerAsync);
        Url = new Uri(_server.BaseAddress + "/introspect");
    }

    public Uri Url { get; }

    /// <summary>The tokens Dovecot asked about, in order; an empty string for a request that carried none.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static IntrospectionEndpoint Start() => new();

    public void Activate(string token, string username) => _active[token] = username;

    public void Revoke(string token) => _active.TryRemove(token, out _);

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var token = await TokenOfAsync(context.Request);
        Requests.Enqueue(token);
        object answer = _active.TryGetValue(token, out var username) ? new { active = true, username } : new { active = false };
        var body = JsonSerializer.SerializeToUtf8Bytes(answer);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = body.Length;
        await context.Response.OutputStream.WriteAsync(body);
    }

    /// <summary>
    /// Dovecot's introspection_mode post sends <c>token=...</c> form-encoded; get mode puts the token at the end of the
    /// URL and auth mode in a Bearer header, which are read too so that a mode change shows up as a wrong answer.
    /// </summary>
    private static async Task<string> TokenOfAsync(HttpListenerRequest request)
    {
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        var form = await reader.ReadToEndAsync();
        foreach (var pair in form.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair.StartsWith("token=", StringComparison.Ordinal))
            {
                return WebUtility.UrlDecode(pair["token=".Length..]);
            }
        }

        var authorization = request.Headers["Authorization"];
        return authorization is not null && authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : "";
    }
}
