namespace MailIngest.Pop3;

/// <summary>
/// Per-operation deadlines. MailKit's <c>Timeout</c> bounds each socket read and write; a deadline also bounds a short
/// command as a whole, so a server that trickles bytes cannot hold a login, DELE or QUIT open forever. Listings and
/// RETR rely on the socket timeout alone: their length grows with the mailbox and the message.
/// </summary>
internal static class Pop3Operation
{
    public static async Task WithDeadlineAsync(string endpoint, TimeSpan deadline, Func<CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            await operation(timeout.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer from {endpoint} within {deadline}", e);
        }
    }
}
