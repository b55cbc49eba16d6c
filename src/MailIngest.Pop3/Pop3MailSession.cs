using MailIngest.Pop3.Protocol;
using MailIngest.Sources;

namespace MailIngest.Pop3;

/// <summary>
/// An authenticated POP3 session behind the core's <see cref="IMailSession"/>, whose positions are 0-based where POP3's
/// message numbers start at 1; disposing it without <see cref="CommitAsync"/> drops the connection without QUIT, so no
/// deletion happens.
/// </summary>
internal sealed class Pop3MailSession(Pop3Client client, string endpoint) : IMailSession
{
    public TimeSpan? LoginDelay => client.Capabilities.LoginDelay;

    public MailServerInfo Info => new(
        endpoint,
        string.IsNullOrWhiteSpace(client.Capabilities.Implementation) ? null : client.Capabilities.Implementation,
        client.IsEncrypted,
        client.CapabilityNames,
        client.LoginCapabilities.SaslMechanisms,
        client.Capabilities.Expire,
        client.MessageCount,
        client.MailboxSize);

    /// <remarks>
    /// A server that does not answer CAPA may still support UIDL: the client probes for it after login (with <c>UIDL 1</c>
    /// when the mailbox is not empty), so the capability is not checked up front; a refusal is what tells.
    /// </remarks>
    public async Task<IReadOnlyList<ListedMessage>> ListAsync(ListingRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return [.. (await Call(() => client.UidlAsync(cancellationToken))).Select(uidl => new ListedMessage(uidl))];
        }
        catch (Exception e) when (e is NotSupportedException || (e is MailServerException { InnerException: Pop3RefusedException } && !client.Capabilities.Uidl))
        {
            throw new MailServerException(
                $"{endpoint} does not support the UIDL command, without which new mail cannot be told from mail already ingested. " +
                "Enable UIDL on the server (RFC 1939); MailIngest will not ingest without it.",
                MailServerFailure.Permanent,
                e);
        }
    }

    /// <summary>POP3 keeps no state between sessions: UIDL lists every message each time.</summary>
    public string? SourceState => null;

    /// <remarks>One LIST gives every message's size, so all are given.</remarks>
    public async Task<IReadOnlyList<long?>> GetSizesAsync(IReadOnlyCollection<int> positions, CancellationToken cancellationToken) =>
        [.. (await Call(() => client.ListAsync(cancellationToken))).Select(size => (long?)size)];

    /// <remarks>Each message's bytes go from the socket straight into the target's stream: none is ever held whole in memory.</remarks>
    public Task RetrieveAsync(IReadOnlyList<int> positions, IRetrievalTarget target, CancellationToken cancellationToken) =>
        Call(() => client.RetrieveAsync(
            [.. positions.Select(position => position + 1)],
            async (number, message, ct) =>
            {
                await message.CopyToAsync(target.Open(number - 1), ct);
                await target.CompletedAsync(number - 1, ct);
            },
            (number, reason, ct) => target.RefusedAsync(number - 1, reason, ct).AsTask(),
            cancellationToken));

    public async Task<string> ReadHeaderAsync(int position, int maxBytes, CancellationToken cancellationToken)
    {
        var headers = await Call(() => client.TopAsync(position + 1, 0, cancellationToken));
        var kept = headers.Bytes.Span[..Math.Min(maxBytes, headers.Bytes.Length)];
        // Headers are ASCII by RFC 5322; Latin-1 keeps any stray 8-bit byte as one character rather than failing.
        return System.Text.Encoding.Latin1.GetString(kept);
    }

    public Task DeleteAsync(IReadOnlyList<int> positions, CancellationToken cancellationToken) =>
        Call(() => client.DeleteAsync([.. positions.Select(position => position + 1)], cancellationToken));

    public Task CommitAsync(CancellationToken cancellationToken) => Call(() => client.QuitAsync(cancellationToken));

    public ValueTask DisposeAsync() => client.DisposeAsync();

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
        catch (Exception e) when (Pop3Errors.Classify(e, endpoint) is { } error)
        {
            throw error;
        }
    }
}
