using System.Text.RegularExpressions;

namespace MailIngest.Pop3.Protocol;

/// <summary>RFC 2449 response codes: <c>-ERR [CODE] text</c>, hierarchical (SYS/TEMP), extended by RFC 3206.</summary>
internal static partial class Pop3ResponseCodes
{
    /// <summary>The code at the start of a reply's text, upper case; null when there is none.</summary>
    public static string? Code(string text) =>
        ResponseCode().Match(text) is { Success: true } m ? m.Groups["code"].Value.ToUpperInvariant() : null;

    /// <summary>
    /// Whether an <c>-ERR</c> says something about the server or the session rather than the message it answers:
    /// [SYS/TEMP], [SYS/PERM], [IN-USE], [LOGIN-DELAY], [AUTH]. A refused RETR without such a code is the message's own.
    /// </summary>
    public static bool SpeaksOfTheServer(string text) =>
        Code(text) is { } code && (code.StartsWith("SYS", StringComparison.Ordinal) || code is "IN-USE" or "LOGIN-DELAY" or "AUTH");

    [GeneratedRegex(@"^\s*\[(?<code>[A-Za-z0-9/-]+)\]")]
    private static partial Regex ResponseCode();
}
