using System.Globalization;

namespace MailIngest.Archive;

/// <summary>
/// Compares what RETR delivered with the size LIST announced. A message that arrives much shorter may have been cut
/// short by the server; one far larger means the server's sizes are estimates (Exchange Online). Either way the message
/// is stored exactly as received, and the manifest says so. These warnings, and that of a reused ID, are facts of the
/// message's ingestion that its raw bytes do not hold: <c>mailingest reprocess</c> keeps them while it decodes anew.
/// </summary>
internal static class RetrievalWarnings
{
    /// <summary>Shorter than LIST by more than this share (and <see cref="MinShortfall"/>) counts as possibly truncated.</summary>
    public const double ShortfallRatio = 0.1;

    public const long MinShortfall = 1024;

    /// <summary>Larger than LIST by more than this share (and <see cref="MinExcess"/>) is worth a note; estimates are often a little off.</summary>
    public const double ExcessRatio = 0.5;

    public const long MinExcess = 4096;

    // Each warning begins with its own of these, which is how IsAboutRetrieval tells them from the decoder's.
    private const string SizePrefix = "RETR returned ";
    private const string DuplicatePrefix = "The server listed UIDL '";
    private const string ReusedIdPrefix = "The server reused ID '";

    public static string? ForSize(long listed, long received)
    {
        var difference = received - listed;
        if (-difference > Math.Max(MinShortfall, listed * ShortfallRatio))
        {
            return string.Create(
                CultureInfo.InvariantCulture,
                $"{SizePrefix}{received} bytes but LIST announced {listed}: the server may have cut the message short. It is stored as received.");
        }

        return difference > Math.Max(MinExcess, listed * ExcessRatio)
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"{SizePrefix}{received} bytes but LIST announced only {listed}: the server's sizes are estimates, so size budgets are approximate.")
            : null;
    }

    public static string ForDuplicate(string uidl, int copies) => string.Create(
        CultureInfo.InvariantCulture,
        $"{DuplicatePrefix}{uidl}' {copies} times; every copy is fetched, and a copy with other content is stored under its own key.");

    public static string ForReusedId(string id, string key) => $"{ReusedIdPrefix}{id}' for a different message; this one is stored under key {key}.";

    /// <summary>Whether a manifest's warning is one of these (written by the run, not by the decoder).</summary>
    public static bool IsAboutRetrieval(string warning) =>
        warning.StartsWith(SizePrefix, StringComparison.Ordinal)
        || warning.StartsWith(DuplicatePrefix, StringComparison.Ordinal)
        || warning.StartsWith(ReusedIdPrefix, StringComparison.Ordinal);
}
