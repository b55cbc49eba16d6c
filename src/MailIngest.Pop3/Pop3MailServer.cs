using System.Net.Sockets;
using MailIngest.Configuration;
using MailIngest.Server;
using MailKit;
using MailKit.Net.Pop3;
using MailKit.Security;

namespace MailIngest.Pop3;

/// <summary>Opens POP3 sessions with MailKit: connect with the configured security, then authenticate (MailKit picks the strongest mechanism offered).</summary>
internal sealed class Pop3MailServer : IMailServer
{
    public async Task<IMailSession> OpenAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        var port = options.Port != 0 ? options.Port : options.Security == MailSecurity.SslOnConnect ? 995 : 110;
        var endpoint = $"{options.Host}:{port}";
        var client = new Pop3Client { Timeout = (int)options.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(options.Host, port, ToMailKit(options.Security), cancellationToken);
            await client.AuthenticateAsync(options.Username, options.Password, cancellationToken);
            return new Pop3MailSession(client, endpoint);
        }
        catch (Exception e) when (Pop3Errors.Describe(e, endpoint, options.Username) is { } error)
        {
            client.Dispose();
            throw new MailServerException(error, e);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static SecureSocketOptions ToMailKit(MailSecurity security) => security switch
    {
        MailSecurity.None => SecureSocketOptions.None,
        MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        MailSecurity.StartTls => SecureSocketOptions.StartTls,
        MailSecurity.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
        _ => SecureSocketOptions.Auto,
    };
}

/// <summary>Turns MailKit's and the network's exceptions into one sentence an operator can act on; null for anything else.</summary>
internal static class Pop3Errors
{
    public static string? Describe(Exception e, string endpoint, string? username = null) => e switch
    {
        AuthenticationException => $"{endpoint} rejected the login of '{username}': {e.Message} Check the mailbox's Username and Password.",
        SslHandshakeException => $"TLS with {endpoint} failed: {e.Message}",
        SocketException s => $"cannot connect to {endpoint}: {s.SocketErrorCode} ({s.Message})",
        Pop3CommandException c => $"{endpoint} refused a command: {c.StatusText}",
        Pop3ProtocolException or IOException or ServiceNotConnectedException => $"the connection to {endpoint} failed: {e.Message}",
        TimeoutException => $"{endpoint} did not answer in time: {e.Message}",
        _ => null,
    };
}
