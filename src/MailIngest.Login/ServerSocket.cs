using System.Net.Sockets;

namespace MailIngest.Login;

/// <summary>The TCP connection to a mail server, the same for POP3 and IMAP.</summary>
internal static class ServerSocket
{
    public static async Task<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        // NoDelay: commands are small and answered at once; Nagle's algorithm would hold a pipelined command back for an ACK.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
