namespace MailIngest.Pop3.Tests;

/// <summary>How a real server greets a client and logs it in, as recorded (Resources/README.md).</summary>
/// <param name="Greeting">The greeting.</param>
/// <param name="CapaBeforeLogin">The reply to CAPA before login.</param>
/// <param name="LoggedIn">The reply to a login that succeeds.</param>
/// <param name="CapaAfterLogin">The reply to CAPA after login.</param>
internal sealed record ServerLogin(string Greeting, string CapaBeforeLogin, string LoggedIn, string CapaAfterLogin)
{
    /// <summary>The suite's Dovecot (2.3): PIPELINING and RESP-CODES; SASL PLAIN and LOGIN before login.</summary>
    public static ServerLogin Dovecot { get; } = FromSession(Recorded.Session("dovecot/empty-mailbox.log"));

    /// <summary>Gmail: LOGIN-DELAY 300 and EXPIRE 0; SASL PLAIN and XOAUTH2 before login, PIPELINING only after it.</summary>
    public static ServerLogin Gmail { get; } = new(
        Recorded.Reply("gmail/greeting.txt"), Recorded.Reply("gmail/capa1.txt"), Recorded.Reply("gmail/auth.txt"), Recorded.Reply("gmail/capa2.txt"));

    /// <summary>An on-premises Exchange: no PIPELINING, no RESP-CODES, the same CAPA before and after login.</summary>
    public static ServerLogin Exchange { get; } = new(
        Recorded.Reply("exchange/greeting.txt"), Recorded.Reply("exchange/capa.txt"), Recorded.Reply("exchange/auth.txt"), Recorded.Reply("exchange/capa.txt"));

    private static ServerLogin FromSession(IReadOnlyList<Pop3Exchange> session) => new(
        session.Single(e => e.Command is null).Response,
        session.First(e => e.Command == "CAPA").Response,
        session.Single(e => e.Command == Transcript.AuthPlain).Response,
        session.Last(e => e.Command == "CAPA").Response);
}
