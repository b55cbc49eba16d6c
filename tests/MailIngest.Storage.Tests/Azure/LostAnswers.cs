using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace MailIngest.Storage.Tests.Azure;

/// <summary>
/// A fault on the way back from the real server: the first <paramref name="count"/> requests that
/// <paramref name="matches"/> reach Azurite and are carried out, but their answers are lost, as when a connection
/// breaks after the request went out. The SDK gets what its transport makes of that (a RequestFailedException with
/// no status, around the I/O error) and retries, as it would in production.
/// </summary>
internal sealed class LostAnswers(Func<HttpMessage, bool> matches, int count = 1) : HttpPipelinePolicy
{
    private int _lost;

    /// <summary>How many answers were lost.</summary>
    public int Lost => Math.Min(Volatile.Read(ref _lost), count);

    /// <summary>Requests of one operation, such as <c>comp=appendblock</c> or <c>comp=metadata</c>.</summary>
    public static Func<HttpMessage, bool> Operation(string comp) =>
        message => message.Request.Uri.Query.Contains($"comp={comp}", StringComparison.Ordinal);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ProcessNext(message, pipeline);
        LoseTheAnswerIfDue(message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline);
        LoseTheAnswerIfDue(message);
    }

    private void LoseTheAnswerIfDue(HttpMessage message)
    {
        if (matches(message) && Interlocked.Increment(ref _lost) <= count)
        {
            var lost = new IOException($"The test lost the answer to {message.Request.Method} {message.Request.Uri.Path} (HTTP {message.Response.Status}).");
            throw new RequestFailedException(0, lost.Message, lost);
        }
    }
}
