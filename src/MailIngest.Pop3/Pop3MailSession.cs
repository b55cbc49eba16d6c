using MailIngest.Pop3.Protocol;
using MailIngest.Server;

namespace MailIngest.Pop3;

/// <summary>
/// An authenticated POP3 session behind the core's <see cref="IMailSession"/>, whose indexes are 0-based where POP3's
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
    public async Task<IReadOnlyList<string>> GetUidlsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Call(() => client.UidlAsync(cancellationToken));
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

    public Task<IReadOnlyList<long>> GetSizesAsync(CancellationToken cancellationToken) => Call(() => client.ListAsync(cancellationToken));

    /// <remarks>
    /// Streams each message into a spool file under the temp folder (deleted when its stream is closed), so that the
    /// caller gets seekable streams without a message ever being held in memory. Until the core takes the streamed
    /// retrieval itself (<see cref="Pop3Client.RetrieveAsync"/>), this is the one place the two meet.
    /// </remarks>
    public async Task<RetrievedMessages> RetrieveAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken)
    {
        var spooled = new List<Stream>(indexes.Count);
        try
        {
            await Call(() => client.RetrieveAsync(
                [.. indexes.Select(index => index + 1)],
                async (_, message, ct) =>
                {
                    var file = SpoolFile();
                    spooled.Add(file);
                    await message.CopyToAsync(file, ct);
                    file.Position = 0;
                },
                cancellationToken));
            return new RetrievedMessages(indexes, spooled);
        }
        catch
        {
            foreach (var file in spooled)
            {
                await file.DisposeAsync();
            }

            throw;
        }
    }

    public Task DeleteAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken) =>
        Call(() => client.DeleteAsync([.. indexes.Select(index => index + 1)], cancellationToken));

    public Task CommitAsync(CancellationToken cancellationToken) => Call(() => client.QuitAsync(cancellationToken));

    public ValueTask DisposeAsync() => client.DisposeAsync();

    /// <summary>Readable by this user only (mail is private); deleted when its stream is closed.</summary>
    private static FileStream SpoolFile()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(Path.Combine(Path.GetTempPath(), $"mailingest-retr-{Guid.NewGuid():N}.eml"), options);
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
        catch (Exception e) when (Pop3Errors.Classify(e, endpoint) is { } error)
        {
            throw error;
        }
    }
}
