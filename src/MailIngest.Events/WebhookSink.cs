using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MailIngest.Configuration;

namespace MailIngest.Events;

/// <summary>
/// POSTs each event, CloudEvents structured JSON, signed as Standard Webhooks sign (docs/events.md): 2xx is delivered,
/// a 4xx other than 408 and 429 a refusal for good, anything else (3xx, 408, 429, 5xx, no answer) is tried again later.
/// </summary>
internal sealed class WebhookSink(EventsOptions options, TimeProvider time) : IEventSink, IDisposable
{
    /// <summary>The most of a refusal's body kept in the log and the dead letter.</summary>
    private const int MaxReasonChars = 200;

    private readonly Uri _url = new(options.Url);

    // Redirects are not followed: Standard Webhooks counts a 3xx as a failure (the URL should be updated instead).
    private readonly HttpClient _client = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<SendResult> SendAsync(string id, string body, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        // Read at every delivery, so that a rotated secret takes effect at once.
        var key = WebhookSignature.Key(SecretFile.Read(options.SecretFile));
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(CloudEventFormat.ContentType);
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(key, id, timestamp, bytes));
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (status is >= 200 and <= 299)
            {
                return SendResult.Delivered;
            }

            var reason = $"{_url.GetLeftPart(UriPartial.Path)} answered {status} {response.ReasonPhrase}{await BodyAsync(response, cancellationToken)}";
            return status is >= 400 and <= 499 && response.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
                ? SendResult.Refused(reason)
                : SendResult.Failed(reason);
        }
        catch (HttpRequestException e)
        {
            return SendResult.Failed($"{_url.GetLeftPart(UriPartial.Path)} could not be reached: {e.Message}");
        }
    }

    public void Dispose() => _client.Dispose();

    private static async Task<string> BodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
            return text.Length == 0 ? "" : ": " + (text.Length > MaxReasonChars ? text[..MaxReasonChars] + "…" : text);
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }
}
