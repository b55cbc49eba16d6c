using MailIngest.Server;
using MailKit.Net.Pop3;

namespace MailIngest.Pop3;

/// <summary>An authenticated MailKit POP3 session; disposing it without <see cref="CommitAsync"/> drops the connection without QUIT, so no deletion happens.</summary>
internal sealed class Pop3MailSession(Pop3Client client, string endpoint) : IMailSession
{
    public Task<IReadOnlyList<string>> GetUidlsAsync(CancellationToken cancellationToken)
    {
        if (!client.Capabilities.HasFlag(Pop3Capabilities.UIDL))
        {
            throw new MailServerException(
                $"{endpoint} does not support the UIDL command, without which new mail cannot be told from mail already ingested.");
        }

        return Call(async () => (IReadOnlyList<string>)[.. await client.GetMessageUidsAsync(cancellationToken)]);
    }

    public Task<IReadOnlyList<long>> GetSizesAsync(CancellationToken cancellationToken) =>
        Call(async () => (IReadOnlyList<long>)[.. (await client.GetMessageSizesAsync(cancellationToken)).Select(size => (long)size)]);

    /// <remarks>
    /// MailKit pipelines the RETRs of a batch when the server offers PIPELINING. It hands back each message as an
    /// in-memory stream, so the caller keeps batches small.
    /// </remarks>
    public async Task RetrieveAsync(
        IReadOnlyList<int> indexes, Func<int, Stream, CancellationToken, Task> onMessage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        var streams = await Call(() => client.GetStreamsAsync([.. indexes], headersOnly: false, cancellationToken));
        try
        {
            for (var i = 0; i < indexes.Count; i++)
            {
                await onMessage(indexes[i], streams[i], cancellationToken);
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    public Task DeleteAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken) =>
        Call(async () =>
        {
            await client.DeleteMessagesAsync([.. indexes], cancellationToken);
            return true;
        });

    public Task CommitAsync(CancellationToken cancellationToken) =>
        Call(async () =>
        {
            await client.DisconnectAsync(quit: true, cancellationToken);
            return true;
        });

    public async ValueTask DisposeAsync()
    {
        if (client.IsConnected)
        {
            // No QUIT: a session that did not commit must leave every message on the server.
            await client.DisconnectAsync(quit: false, CancellationToken.None);
        }

        client.Dispose();
    }

    private async Task<T> Call<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception e) when (Pop3Errors.Describe(e, endpoint) is { } error)
        {
            throw new MailServerException(error, e);
        }
    }
}
