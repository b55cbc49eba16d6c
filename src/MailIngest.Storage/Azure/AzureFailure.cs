using Azure;
using Azure.Identity;

namespace MailIngest.Storage.Azure;

/// <summary>Tells storage failures from other ones, and says in one line what went wrong, without the SDK's header dump.</summary>
internal static class AzureFailure
{
    /// <summary>A failure of the storage service or of the way to it, as opposed to one of the caller (its content, its cancellation).</summary>
    public static bool IsStorageFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        RequestFailedException or AuthenticationFailedException => true,
        // The SDK gives up on a try after its network timeout by cancelling it; the caller did not cancel.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        // The SDK's retry policy gathers the failures of every try.
        AggregateException a => a.InnerExceptions.All(inner => IsStorageFailure(inner, cancellationToken)),
        _ => false,
    };

    public static string Reason(Exception e, TimeSpan networkTimeout) => e switch
    {
        AggregateException { InnerExceptions.Count: > 0 } a =>
            $"{Reason(a.InnerExceptions[^1], networkTimeout)} (after {a.InnerExceptions.Count} tries)",
        // Status 0: no HTTP answer at all (refused, reset, name not found); the transport's message says which.
        RequestFailedException { Status: 0 } r => FirstLine((r.InnerException ?? r).Message),
        RequestFailedException r => $"HTTP {r.Status} {r.ErrorCode}: {FirstLine(r.Message)}",
        AuthenticationFailedException => $"could not sign in with Azure identity: {FirstLine(e.Message)}",
        OperationCanceledException => $"no answer within {networkTimeout} ({StorageOptions.SectionName}:NetworkTimeout)",
        _ => FirstLine(e.Message),
    };

    private static string FirstLine(string text)
    {
        var end = text.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? text : text[..end];
    }
}
