using System.Net.Sockets;
using MailIngest.Login;
using MailIngest.Sources;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;

namespace MailIngest.Imap;

/// <summary>
/// Turns MailKit's and the network's exceptions into one sentence an operator can act on, and decides whether another
/// session may help: a dropped or silent connection and a refused command (<c>NO</c>: in use, unavailable, a message
/// expunged meanwhile) are transient; a rejected login, a command the server calls malformed (<c>BAD</c>), a missing
/// folder and a TLS failure are not. Null for anything else.
/// </summary>
internal static class ImapErrors
{
    public static MailServerException? Classify(Exception e, string endpoint, string? username = null, string? tokenAdvice = null) => e switch
    {
        MailServerException => null,
        MailKit.Security.AuthenticationException or SaslException =>
            new(LoginErrors.Rejected(endpoint, username, e.Message, tokenAdvice), MailServerFailure.Permanent, e),
        SslHandshakeException => new($"TLS with {endpoint} failed: {e.Message}", MailServerFailure.Permanent, e),
        System.Security.Authentication.AuthenticationException => new($"TLS with {endpoint} failed: {e.Message}", MailServerFailure.Permanent, e),
        FolderNotFoundException missing => new(
            $"{endpoint} has no folder '{missing.FolderName}': check the mailbox's Folders and MoveToFolder (names are the server's, e.g. INBOX or Archive/2026).",
            MailServerFailure.Permanent,
            e),
        MessageNotFoundException => new($"{endpoint} did not send the message: it is no longer in its folder. {e.Message}", MailServerFailure.Permanent, e),
        ImapCommandException { Response: ImapCommandResponse.Bad } bad => new(
            $"{endpoint} called a command malformed: {bad.Message} This is not retried; the server may not support what the command needs.",
            MailServerFailure.Permanent,
            e),
        ImapCommandException refused => new($"{endpoint} refused a command: {refused.Message}", MailServerFailure.Transient, e),
        SocketException s => new($"cannot connect to {endpoint}: {s.SocketErrorCode} ({s.Message})", MailServerFailure.Transient, e),
        TimeoutException => new($"{endpoint} did not answer in time: {e.Message}", MailServerFailure.Transient, e),
        // ImapProtocolException is an IOException too: the session is out of step and MailKit has dropped it.
        IOException or ObjectDisposedException or ServiceNotConnectedException or ImapProtocolException =>
            new($"the connection to {endpoint} failed: {e.Message}", MailServerFailure.Transient, e),
        _ => null,
    };
}
