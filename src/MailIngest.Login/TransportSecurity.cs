using System.Net;
using MailIngest.Configuration;

namespace MailIngest.Login;

/// <summary>How a mailbox's <see cref="MailboxOptions.Security"/> and <see cref="MailboxOptions.Port"/> come out for a protocol.</summary>
/// <param name="TlsPort">The protocol's port for TLS on connect (POP3S 995, IMAPS 993).</param>
/// <param name="PlainPort">The protocol's port for STARTTLS or plaintext (POP3 110, IMAP 143).</param>
internal sealed record TransportSecurity(int TlsPort, int PlainPort)
{
    public static TransportSecurity Pop3 { get; } = new(995, 110);

    public static TransportSecurity Imap { get; } = new(993, 143);

    public int Port(MailboxOptions options) =>
        options.Port != 0 ? options.Port : options.Security is MailSecurity.Auto or MailSecurity.SslOnConnect ? TlsPort : PlainPort;

    /// <summary>
    /// Auto is TLS on connect on the TLS port and required STARTTLS on any other; never MailKit's StartTlsWhenAvailable,
    /// a silent plaintext session when the server, or someone in between, hides STARTTLS (validation refuses it).
    /// </summary>
    public MailSecurity Effective(MailboxOptions options) => options.Security switch
    {
        MailSecurity.None or MailSecurity.SslOnConnect or MailSecurity.StartTls => options.Security,
        MailSecurity.Auto => Port(options) == TlsPort ? MailSecurity.SslOnConnect : MailSecurity.StartTls,
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Security, "validation refuses StartTlsWhenAvailable and unknown values"),
    };

    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}
