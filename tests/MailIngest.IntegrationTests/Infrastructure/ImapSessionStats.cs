using System.Globalization;
using System.Text.RegularExpressions;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>What Dovecot logged when an IMAP session ended (<see cref="DovecotConfig.ImapLogoutFormat"/>).</summary>
/// <param name="User">The logged-in user.</param>
/// <param name="Reason">"Logged out" after LOGOUT; anything else (e.g. "Connection closed") means the client went without it.</param>
/// <param name="Expunged">Messages the session expunged (or moved away).</param>
/// <param name="Headers">Header blocks fetched (BODY.PEEK[HEADER]).</param>
/// <param name="Bodies">Whole messages fetched (BODY.PEEK[]).</param>
/// <param name="BodyBytes">Their bytes.</param>
public sealed partial record ImapSessionStats(string User, string Reason, int Expunged, int Headers, int Bodies, long BodyBytes)
{
    public bool LoggedOut => Reason.StartsWith("Logged out", StringComparison.Ordinal);

    public static IReadOnlyList<ImapSessionStats> Parse(string log) =>
        [.. Line().Matches(log).Select(m => new ImapSessionStats(
            m.Groups["user"].Value,
            m.Groups["reason"].Value,
            int.Parse(m.Groups["expunged"].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups["hdr"].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups["body"].Value, CultureInfo.InvariantCulture),
            long.Parse(m.Groups["bodyBytes"].Value, CultureInfo.InvariantCulture)))];

    // e.g. "imap(alice)<6426><kdVVP0RhAtB/AAAB>: Info: Logged out in=120 out=900 expunged=0 hdr=0/0 body=2/1300"
    [GeneratedRegex(
        @"imap\((?<user>[^)]*)\)[^:\n]*: Info: (?:Disconnected: )?(?<reason>[^\n]*?)\s*in=\d+ out=\d+ expunged=(?<expunged>\d+) hdr=(?<hdr>\d+)/\d+ body=(?<body>\d+)/(?<bodyBytes>\d+)",
        RegexOptions.CultureInvariant)]
    private static partial Regex Line();
}
