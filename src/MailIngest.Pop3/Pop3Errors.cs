using System.Net.Sockets;
using System.Text.RegularExpressions;
using MailIngest.Sources;
using MailKit;
using MailKit.Net.Pop3;
using MailKit.Security;

namespace MailIngest.Pop3;

/// <summary>
/// Turns MailKit's and the network's exceptions into one sentence an operator can act on, and decides by RFC 2449/3206
/// response codes whether another session may help: [IN-USE] and [SYS/TEMP] are transient, [AUTH] and [SYS/PERM] and a
/// rejected password are not, [LOGIN-DELAY] asks the client to come back later. Null for anything else.
/// </summary>
internal static partial class Pop3Errors
{
    public static MailServerException? Classify(
        Exception e, string endpoint, Pop3ServerReplies replies, string? username = null, TimeSpan? loginDelay = null, string? tokenAdvice = null)
    {
        var serverText = e switch
        {
            Pop3CommandException c => c.StatusText,
            AuthenticationException => replies.LastError ?? e.Message,
            _ => null,
        };
        var code = serverText is null ? null : ResponseCode().Match(serverText) is { Success: true } m ? m.Groups["code"].Value.ToUpperInvariant() : null;
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
            "AUTH" => new(RejectedLogin(endpoint, username, serverText, tokenAdvice), MailServerFailure.Permanent, e),
            _ => Describe(e, endpoint, username, serverText, tokenAdvice),
        };
    }

    private static MailServerException? Describe(Exception e, string endpoint, string? username, string? serverText, string? tokenAdvice) => e switch
    {
        AuthenticationException or SaslException => new(RejectedLogin(endpoint, username, serverText ?? e.Message, tokenAdvice), MailServerFailure.Permanent, e),
        SslHandshakeException => new($"TLS with {endpoint} failed: {e.Message}", MailServerFailure.Permanent, e),
        SocketException s => new($"cannot connect to {endpoint}: {s.SocketErrorCode} ({s.Message})", MailServerFailure.Transient, e),
        // A command the server refused without a response code (e.g. RETR of a message another client just deleted): a
        // new session lists the mailbox afresh.
        Pop3CommandException c => new($"{endpoint} refused a command: {c.StatusText}", MailServerFailure.Transient, e),
        Pop3ProtocolException or IOException or ServiceNotConnectedException =>
            new($"the connection to {endpoint} failed: {e.Message}", MailServerFailure.Transient, e),
        TimeoutException => new($"{endpoint} did not answer in time: {e.Message}", MailServerFailure.Transient, e),
        _ => null,
    };

    /// <summary>
    /// The server's text, never the password (MailKit's messages do not carry it, and neither do servers' replies); an
    /// OAuth2 login gets the advice of the token's source, a password login its own.
    /// </summary>
    private static string RejectedLogin(string endpoint, string? username, string? serverText, string? tokenAdvice) => tokenAdvice is not null
        ? $"{endpoint} rejected the OAuth2 login of '{username}': {serverText} {tokenAdvice}; the login is not retried in this run."
        : $"{endpoint} rejected the login of '{username}': {serverText} Check the mailbox's Username and Password; the login is not retried in this run.";

    // RFC 2449 section 8: "-ERR [CODE] text"; codes are hierarchical, e.g. SYS/TEMP.
    [GeneratedRegex(@"^\s*\[(?<code>[A-Za-z0-9/-]+)\]")]
    private static partial Regex ResponseCode();
}
