using System.Globalization;
using System.Text.RegularExpressions;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>What Dovecot logged when one POP3 session ended.</summary>
/// <param name="User">The authenticated user.</param>
/// <param name="Reason">"Logged out" after QUIT; anything else (e.g. "Connection closed") means no QUIT, so no DELE took effect.</param>
/// <param name="RetrMessages">RETR commands answered.</param>
/// <param name="RetrBytes">Bytes sent for those RETRs.</param>
/// <param name="DeletedMessages">Messages actually deleted: DELEs take effect at QUIT, so 0 unless <see cref="LoggedOut"/>.</param>
/// <param name="MessagesAtLogin">Messages in the mailbox when the session started.</param>
public sealed partial record Pop3SessionStats(
    string User,
    string Reason,
    int RetrMessages,
    long RetrBytes,
    int DeletedMessages,
    int MessagesAtLogin)
{
    public bool LoggedOut => Reason.StartsWith("Logged out", StringComparison.Ordinal);

    /// <summary>Reads every session-end line of a Dovecot log written with <see cref="DovecotConfig.LogoutFormat"/>.</summary>
    public static IReadOnlyList<Pop3SessionStats> Parse(string log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return SessionEnd().Matches(log)
            .Select(match => new Pop3SessionStats(
                match.Groups["user"].Value,
                match.Groups["reason"].Value.Trim(),
                Int(match, "retr"),
                long.Parse(match.Groups["retrBytes"].Value, CultureInfo.InvariantCulture),
                Int(match, "del"),
                Int(match, "total")))
            .ToList();
    }

    private static int Int(Match match, string group) =>
        int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    // e.g. "pop3(alice)<6426><kdVVP0RhAtB/AAAB>: Info: Disconnected: Logged out top=0/0, retr=1/48, del=0/2, size=73"
    [GeneratedRegex(
        @"pop3\((?<user>[^)]*)\)[^:\n]*: Info: Disconnected: (?<reason>[^\n]*?)\s*top=\d+/\d+, retr=(?<retr>\d+)/(?<retrBytes>\d+), del=(?<del>\d+)/(?<total>\d+)",
        RegexOptions.CultureInvariant)]
    private static partial Regex SessionEnd();
}
