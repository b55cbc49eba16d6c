using System.Globalization;

namespace MailIngest.Pop3.Protocol;

/// <summary>
/// What one <c>CAPA</c> reply announced (RFC 2449 section 6), parsed as MailKit's <c>Pop3Engine</c> does: tags are
/// case-insensitive, EXPIRE's NEVER is -1, a LOGIN-DELAY without a number is ignored. A server that does not know
/// CAPA announces <see cref="None"/>.
/// </summary>
internal sealed class ServerCapabilities
{
    public static readonly ServerCapabilities None = new([], [], null, null, null);

    private ServerCapabilities(IReadOnlyList<string> names, IReadOnlyList<string> saslMechanisms, string? implementation, int? expire, TimeSpan? loginDelay)
    {
        Names = names;
        SaslMechanisms = saslMechanisms;
        Implementation = implementation;
        Expire = expire;
        LoginDelay = loginDelay;
    }

    /// <summary>Every capability's tag in the order announced, upper case: TOP, UIDL, PIPELINING, SASL, …</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The SASL mechanisms offered, as the server wrote them.</summary>
    public IReadOnlyList<string> SaslMechanisms { get; }

    /// <summary>IMPLEMENTATION's text, if announced.</summary>
    public string? Implementation { get; }

    /// <summary>EXPIRE in days; -1 for NEVER; null when not announced.</summary>
    public int? Expire { get; }

    /// <summary>LOGIN-DELAY, which RFC 2449 gives in seconds; null when not announced or zero.</summary>
    public TimeSpan? LoginDelay { get; }

    public bool Pipelining => Has("PIPELINING");

    public bool Uidl => Has("UIDL");

    public bool Stls => Has("STLS");

    public bool Has(string name) => Names.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses the lines of a CAPA reply between its <c>+OK</c> and its terminating dot.</summary>
    public static ServerCapabilities Parse(IEnumerable<string> lines)
    {
        var names = new List<string>();
        var sasl = new List<string>();
        string? implementation = null;
        int? expire = null;
        TimeSpan? loginDelay = null;
        foreach (var line in lines)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length == 0)
            {
                continue;
            }

            var tag = words[0].ToUpperInvariant();
            names.Add(tag);
            var first = words.Length > 1 ? words[1] : null;
            switch (tag)
            {
                case "SASL":
                    sasl.AddRange(words.Skip(1));
                    break;
                case "IMPLEMENTATION":
                    implementation = line.Trim()[words[0].Length..].Trim();
                    break;
                case "EXPIRE" when string.Equals(first, "NEVER", StringComparison.OrdinalIgnoreCase):
                    expire = -1;
                    break;
                case "EXPIRE" when int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var days):
                    expire = days;
                    break;
                case "LOGIN-DELAY" when int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
                    loginDelay = TimeSpan.FromSeconds(seconds);
                    break;
            }
        }

        return new ServerCapabilities([.. names.Distinct(StringComparer.Ordinal)], sasl, implementation, expire, loginDelay);
    }
}
