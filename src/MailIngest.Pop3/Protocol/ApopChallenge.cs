using System.Security.Cryptography;
using System.Text;

namespace MailIngest.Pop3.Protocol;

/// <summary>
/// APOP (RFC 1939 section 7): the greeting's timestamp, <c>&lt;…&gt;</c>, hashed with the password, so that the password
/// itself never crosses the network. Found in the greeting as MailKit finds it: from the first '&lt;' to the next '&gt;'.
/// </summary>
internal static class ApopChallenge
{
    /// <summary>The timestamp of a greeting's text, brackets included; null when the server offers no APOP.</summary>
    public static string? TimestampOf(string greetingText)
    {
        var open = greetingText.IndexOf('<', StringComparison.Ordinal);
        if (open < 0)
        {
            return null;
        }

        var close = greetingText.IndexOf('>', open + 1);
        return close < 0 ? null : greetingText[open..(close + 1)];
    }

    /// <summary>The digest APOP sends: MD5 of timestamp and password, in lower-case hex.</summary>
    // CA5351: RFC 1939 defines APOP with MD5; the server checks nothing else.
#pragma warning disable CA5351
    public static string Digest(string timestamp, string password) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(timestamp + password)));
#pragma warning restore CA5351
}
