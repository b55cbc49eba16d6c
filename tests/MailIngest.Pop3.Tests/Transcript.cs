using System.Globalization;
using System.Text;
using MailIngest.Configuration;

namespace MailIngest.Pop3.Tests;

/// <summary>
/// Builds POP3 sessions for the replay stream: what servers say of themselves (greeting, capabilities, login) as they
/// were recorded (<see cref="ServerLogin"/>), around listings and messages made to measure for each test.
/// </summary>
internal static class Transcript
{
    public const string User = "user";
    public const string Password = "s3cret-Pa55";

    /// <summary>SASL PLAIN's initial response for <see cref="User"/> and <see cref="Password"/>.</summary>
    public static readonly string PlainResponse = Convert.ToBase64String(Encoding.ASCII.GetBytes($"\0{User}\0{Password}"));

    /// <summary>SASL PLAIN with its initial response on the AUTH line (RFC 5034), as the client sends it.</summary>
    public static readonly string AuthPlain = $"AUTH PLAIN {PlainResponse}";

    /// <summary>A mailbox on a replayed server: plaintext, because the transcripts are.</summary>
    public static MailboxOptions Options(string username = User, string password = Password, MailSecurity security = MailSecurity.None) =>
        new() { Host = "pop.example.com", Username = username, Password = password, Security = security };

    /// <summary>
    /// Exchange Online's CAPA, typed: no recording of it exists here (MailKit's is of an on-premises Exchange, which
    /// offers no XOAUTH2). Like that one, no PIPELINING and no RESP-CODES.
    /// </summary>
    public const string ExchangeOnlineCapa = "+OK\r\nTOP\r\nUIDL\r\nSASL PLAIN XOAUTH2\r\nUSER\r\n.\r\n";

    /// <summary>
    /// The recorded greeting, CAPA and successful SASL PLAIN login of <paramref name="server"/> (Dovecot when null), then
    /// the CAPA and STAT our client sends after login, STAT counting <paramref name="messages"/>.
    /// </summary>
    public static IEnumerable<Pop3Exchange> Login(int messages = 0, ServerLogin? server = null)
    {
        server ??= ServerLogin.Dovecot;
        yield return Pop3Exchange.Greeting(server.Greeting);
        yield return new("CAPA", server.CapaBeforeLogin);
        yield return new(AuthPlain, server.LoggedIn);
        yield return new("CAPA", server.CapaAfterLogin);
        yield return new("STAT", string.Create(CultureInfo.InvariantCulture, $"+OK {messages} {messages * 100}\r\n"));
    }

    /// <summary>An old server that knows no CAPA (so no SASL): USER/PASS, then the CAPA and STAT sent after login. Typed: no recording of one exists here.</summary>
    public static IEnumerable<Pop3Exchange> LoginWithoutCapa(int messages)
    {
        yield return Pop3Exchange.Greeting("+OK POP3 ready\r\n");
        yield return new("CAPA", "-ERR Unknown command\r\n");
        yield return new("USER " + User, "+OK\r\n");
        yield return new("PASS " + Password, "+OK Mailbox open\r\n");
        yield return new("CAPA", "-ERR Unknown command\r\n");
        yield return new("STAT", string.Create(CultureInfo.InvariantCulture, $"+OK {messages} {messages * 150}\r\n"));
    }

    /// <summary>The recorded greeting and CAPA of <paramref name="server"/> (Dovecot when null), and a login it refuses with <paramref name="error"/>.</summary>
    public static IEnumerable<Pop3Exchange> RefusedLogin(string error, ServerLogin? server = null)
    {
        server ??= ServerLogin.Dovecot;
        yield return Pop3Exchange.Greeting(server.Greeting);
        yield return new("CAPA", server.CapaBeforeLogin);
        yield return new(AuthPlain, error + "\r\n");
    }

    public static Pop3Exchange Uidl(params string[] uidls) =>
        new("UIDL", "+OK\r\n" + string.Concat(uidls.Select((u, i) => string.Create(CultureInfo.InvariantCulture, $"{i + 1} {u}\r\n"))) + ".\r\n");

    public static Pop3Exchange List(params long[] sizes) =>
        new("LIST", "+OK\r\n" + string.Concat(sizes.Select((s, i) => string.Create(CultureInfo.InvariantCulture, $"{i + 1} {s}\r\n"))) + ".\r\n");

    public static Pop3Exchange Retr(int number, string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"RETR {number}"), string.Create(CultureInfo.InvariantCulture, $"+OK {message.Length} octets\r\n{message}.\r\n"));

    public static Pop3Exchange Dele(int number) => new(string.Create(CultureInfo.InvariantCulture, $"DELE {number}"), "+OK Marked to be deleted.\r\n");

    public static Pop3Exchange Quit => new("QUIT", "+OK Logging out.\r\n");

    /// <summary>A small message, distinct per <paramref name="number"/>, CRLF line ends, with room to pad its body.</summary>
    public static string Message(int number, int padding = 0) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"From: Sender <sender{number}@example.com>\r\nTo: support@example.net\r\nSubject: Message {number}\r\n" +
            $"Date: Mon, 02 Mar 2026 09:00:00 +0000\r\nMessage-ID: <m{number}@example.com>\r\n\r\nBody {number}.\r\n{new string('x', padding)}\r\n");
}
