using System.Globalization;

namespace MailIngest.Ingestion;

/// <summary>
/// Compares what RETR delivered with the size LIST announced. A message that arrives much shorter may have been cut
/// short by the server; one far larger means the server's sizes are estimates (Exchange Online). Either way the message
/// is stored exactly as received, and the manifest says so.
/// </summary>
internal static class RetrievalWarnings
{
    /// <summary>Shorter than LIST by more than this share (and <see cref="MinShortfall"/>) counts as possibly truncated.</summary>
    public const double ShortfallRatio = 0.1;

    public const long MinShortfall = 1024;

    /// <summary>Larger than LIST by more than this share (and <see cref="MinExcess"/>) is worth a note; estimates are often a little off.</summary>
    public const double ExcessRatio = 0.5;

    public const long MinExcess = 4096;

    public static string? ForSize(long listed, long received)
    {
        var difference = received - listed;
        if (-difference > Math.Max(MinShortfall, listed * ShortfallRatio))
        {
            return string.Create(
                CultureInfo.InvariantCulture,
                $"RETR returned {received} bytes but LIST announced {listed}: the server may have cut the message short. It is stored as received.");
        }

        return difference > Math.Max(MinExcess, listed * ExcessRatio)
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"RETR returned {received} bytes but LIST announced only {listed}: the server's sizes are estimates, so size budgets are approximate.")
            : null;
    }

    public static string ForDuplicate(string uidl, int copies) => string.Create(
        CultureInfo.InvariantCulture,
        $"The server listed UIDL '{uidl}' {copies} times; every copy is fetched, and a copy with other content is stored under its own key.");
}
