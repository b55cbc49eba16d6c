using System.Text;

namespace MailIngest.Host.Cli;

/// <summary>Aligned columns for the people's form of <c>status</c> and <c>plan</c>.</summary>
internal static class TextTable
{
    public static void AppendTo(StringBuilder text, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.Prepend(headers).ToList();
        var widths = Enumerable.Range(0, headers.Count).Select(c => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
    }
}
