using System.Text.RegularExpressions;

namespace MailIngest.Architecture;

/// <summary>
/// Every log message of every project has an EventId of its own (docs/operations.md tells operators to filter and alert
/// on them): two branches once gave the events' and reprocess's messages the same numbers. Read from the source.
/// </summary>
public sealed partial class LogEventIdTests
{
    [Fact]
    public void LoggerMessages_HaveDistinctEventIds()
    {
        var source = Path.Combine(RepositoryFolder.Root, "src");
        var ids = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(path => EventId().Matches(File.ReadAllText(path)).Select(m => (Id: int.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture), File: Path.GetFileName(Path.GetDirectoryName(path)) + "/" + Path.GetFileName(path))))
            .ToList();

        var shared = ids.GroupBy(x => x.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.File))}").ToList();

        Assert.True(ids.Count > 50, $"Found only {ids.Count} logger messages under {source}.");
        Assert.True(shared.Count == 0, "EventIds used more than once: " + string.Join("; ", shared));
    }

    [GeneratedRegex(@"\[LoggerMessage\(EventId = (?<id>\d+)")]
    private static partial Regex EventId();
}
