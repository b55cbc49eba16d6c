using MailIngest.Login;

namespace MailIngest.Pop3.Protocol;

/// <summary>
/// One POP3 session's lines in the <c>--protocol-log</c> file. The client hands it only what may be written: a command
/// that carries a secret (PASS, APOP's digest, every SASL response) arrives already redacted, and a message's contents
/// (RETR, TOP) arrive as their size, never as lines, so the log holds neither passwords nor mail.
/// </summary>
internal sealed class Pop3ConversationLog(ProtocolLog file, string mailbox)
{
    public void Client(string line) => file.Write(mailbox, "C:", line);

    public void Server(string line) => file.Write(mailbox, "S:", line);

    /// <summary>An event that is neither side's line: the connection, TLS, a message's size.</summary>
    public void Note(string text) => file.Write(mailbox, "--", text);
}
