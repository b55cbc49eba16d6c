using System.Net.Sockets;
using MailIngest.Login;
using MailIngest.Pop3.Protocol;
using MailIngest.Sources;
using MailKit.Security;
using AuthenticationException = System.Security.Authentication.AuthenticationException;

namespace MailIngest.Pop3;

/// <summary>
/// Turns the POP3 client's, MailKit's SASL mechanisms' and the network's exceptions into one sentence an operator can act
/// on, and decides by RFC 2449/3206 response codes whether another session may help: [IN-USE] and [SYS/TEMP] are
/// transient, [AUTH] and [SYS/PERM] and a rejected password are not, [LOGIN-DELAY] asks the client to come back later.
/// Null for anything else.
/// </summary>
internal static class Pop3Errors
{
    public static MailServerException? Classify(
        Exception e, string endpoint, string? username = null, TimeSpan? loginDelay = null, string? tokenAdvice = null)
    {
        var serverText = (e as Pop3RefusedException)?.StatusText;
        var code = serverText is null ? null : Pop3ResponseCodes.Code(serverText);
        return code switch
        {
            "IN-USE" => new($"{endpoint} says the mailbox is in use by another session: {serverText}", MailServerFailure.Transient, e),
            "SYS/TEMP" => new($"{endpoint} reports a temporary system failure: {serverText}", MailServerFailure.Transient, e),
            "LOGIN-DELAY" => new(
                $"{endpoint} refused the login because the mailbox was polled too recently (LOGIN-DELAY{(loginDelay is { } d ? $" {d.TotalSeconds:0} s" : "")}): {serverText}",
                MailServerFailure.LoginDelay,
                e,
                loginDelay),
            "SYS/PERM" => new($"{endpoint} reports a permanent system failure: {serverText} Ask the mail server's administrator.", MailServerFailure.Permanent, e),
            "AUTH" => new(LoginErrors.Rejected(endpoint, username, serverText, tokenAdvice), MailServerFailure.Permanent, e),
            _ => Describe(e, endpoint, username, serverText, tokenAdvice),
        };
    }

    private static MailServerException? Describe(Exception e, string endpoint, string? username, string? serverText, string? tokenAdvice) => e switch
    {
        Pop3RefusedException { DuringLogin: true } or SaslException =>
            new(LoginErrors.Rejected(endpoint, username, serverText ?? e.Message, tokenAdvice), MailServerFailure.Permanent, e),
        // The TLS handshake failed for another reason than the certificate (which Pop3MailServer reports itself).
        AuthenticationException => new($"TLS with {endpoint} failed: {e.Message}", MailServerFailure.Permanent, e),
        SocketException s => new($"cannot connect to {endpoint}: {s.SocketErrorCode} ({s.Message})", MailServerFailure.Transient, e),
        // A command the server refused without a response code (e.g. RETR of a message another client just deleted): a
        // new session lists the mailbox afresh.
        Pop3RefusedException r => new($"{endpoint} refused a command: {r.StatusText}", MailServerFailure.Transient, e),
        TimeoutException => new($"{endpoint} did not answer in time: {e.Message}", MailServerFailure.Transient, e),
        // Pop3ProtocolException is an IOException too; ObjectDisposedException is a read the closing connection ended.
        IOException or ObjectDisposedException => new($"the connection to {endpoint} failed: {e.Message}", MailServerFailure.Transient, e),
        _ => null,
    };
}
