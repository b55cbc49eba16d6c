namespace MailIngest.Pop3.Protocol;

/// <summary>The server answered a command with <c>-ERR</c>; <see cref="StatusText"/> is what followed, RFC 2449 response code included.</summary>
/// <param name="command">The command without its arguments' secrets ("RETR 3", "PASS", "AUTH PLAIN").</param>
/// <param name="statusText">The text after <c>-ERR</c>.</param>
/// <param name="duringLogin">Whether the command was a login (AUTH, APOP, USER, PASS), so a refusal without a code means wrong credentials.</param>
internal sealed class Pop3RefusedException(string command, string statusText, bool duringLogin = false)
    : Exception($"the server refused {command}: -ERR {statusText}")
{
    public string Command { get; } = command;

    public string StatusText { get; } = statusText;

    public bool DuringLogin { get; } = duringLogin;
}
