using MailIngest.Sources;
using MailKit.Net.Pop3;

namespace MailIngest.Pop3;

/// <summary>An authenticated MailKit POP3 session; disposing it without <see cref="CommitAsync"/> drops the connection without QUIT, so no deletion happens.</summary>
internal sealed class Pop3MailSession(Pop3Client client, Pop3ServerReplies replies, string endpoint, TimeSpan timeout) : IMailSession
{
    public TimeSpan? LoginDelay => LoginDelayOf(client);

    public MailServerInfo Info => new(
        endpoint,
        string.IsNullOrWhiteSpace(client.Implementation) ? null : client.Implementation,
        client.IsEncrypted,
        [.. Enum.GetValues<Pop3Capabilities>().Where(c => c != Pop3Capabilities.None && client.Capabilities.HasFlag(c)).Select(c => c.ToString().ToUpperInvariant())],
        [.. client.AuthenticationMechanisms],
        client.Capabilities.HasFlag(Pop3Capabilities.Expire) ? client.ExpirePolicy : null,
        client.Count,
        client.Size);

    /// <remarks>MailKit reports the LOGIN-DELAY capability's argument, which RFC 2449 gives in seconds.</remarks>
    public static TimeSpan? LoginDelayOf(Pop3Client client) =>
        client.Capabilities.HasFlag(Pop3Capabilities.LoginDelay) && client.LoginDelay > 0 ? TimeSpan.FromSeconds(client.LoginDelay) : null;

    /// <remarks>
    /// A server that does not answer CAPA may still support UIDL: MailKit probes for it after login (with <c>UIDL 1</c>
    /// when the mailbox is not empty), so the capability is not checked up front; a refusal is what tells.
    /// </remarks>
    public async Task<IReadOnlyList<ListedMessage>> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Call(async () => (IReadOnlyList<ListedMessage>)[.. (await client.GetMessageUidsAsync(cancellationToken)).Select(uidl => new ListedMessage(uidl))]);
        }
        catch (Exception e) when (e is NotSupportedException || (e is MailServerException { InnerException: Pop3CommandException } && !client.Capabilities.HasFlag(Pop3Capabilities.UIDL)))
        {
            throw new MailServerException(
                $"{endpoint} does not support the UIDL command, without which new mail cannot be told from mail already ingested. " +
                "Enable UIDL on the server (RFC 1939); MailIngest will not ingest without it.",
                MailServerFailure.Permanent,
                e);
        }
    }

    public Task<IReadOnlyList<long>> GetSizesAsync(CancellationToken cancellationToken) =>
        Call(async () => (IReadOnlyList<long>)[.. (await client.GetMessageSizesAsync(cancellationToken)).Select(size => (long)size)]);

    /// <remarks>
    /// MailKit pipelines the RETRs of a batch when the server offers PIPELINING and sends them one by one otherwise. It
    /// hands back each message as an in-memory stream, so the caller keeps batches small.
    /// </remarks>
    public async Task RetrieveAsync(IReadOnlyList<int> positions, IRetrievalTarget target, CancellationToken cancellationToken)
    {
        var streams = await Call(() => client.GetStreamsAsync([.. positions], headersOnly: false, cancellationToken));
        try
        {
            for (var i = 0; i < positions.Count; i++)
            {
                var content = target.Open(positions[i]);
                await streams[i].CopyToAsync(content, cancellationToken);
                await target.CompletedAsync(positions[i], cancellationToken);
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

    public async Task<string> ReadHeaderAsync(int position, int maxBytes, CancellationToken cancellationToken)
    {
        await using var headers = await Call(() => client.GetStreamAsync(position, headersOnly: true, cancellationToken));
        var buffer = new byte[Math.Min(maxBytes, (int)Math.Min(headers.Length, int.MaxValue))];
        var read = await headers.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        return System.Text.Encoding.Latin1.GetString(buffer, 0, read);
    }

    public Task DeleteAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken) =>
        Call(() => Pop3Operation.WithDeadlineAsync(endpoint, timeout, ct => client.DeleteMessagesAsync([.. indexes], ct), cancellationToken));

    public Task CommitAsync(CancellationToken cancellationToken) =>
        Call(async () =>
        {
            await Pop3Operation.WithDeadlineAsync(endpoint, timeout, ct => client.DisconnectAsync(quit: true, ct), cancellationToken);
            if (!replies.QuitAcknowledged)
            {
                // MailKit swallows a connection lost at QUIT; without the +OK the server may not have applied the deletions.
                throw new IOException($"the connection was lost before {endpoint} acknowledged QUIT, so its deletions may not have been applied");
            }
        });

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (client.IsConnected)
            {
                // No QUIT: a session that did not commit must leave every message on the server.
                await client.DisconnectAsync(quit: false, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The connection is already gone, which is all disposing wants.
        }
        finally
        {
            Release(client);
        }
    }

    /// <summary>
    /// Disposes a client that still holds a connection. A disconnected one holds nothing, and with MailKit's telemetry on
    /// its Dispose records a second disconnect without an endpoint and throws NullReferenceException (the bug of
    /// jstedfast/MailKit#1816, still in the POP3 client of 4.18).
    /// </summary>
    public static void Release(Pop3Client client)
    {
        if (client.IsConnected)
        {
            client.Dispose();
        }
    }

    private async Task Call(Func<Task> operation) => await Call(async () =>
    {
        await operation();
        return true;
    });

    private async Task<T> Call<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception e) when (Pop3Errors.Classify(e, endpoint, replies) is { } error)
        {
            throw error;
        }
    }
}
