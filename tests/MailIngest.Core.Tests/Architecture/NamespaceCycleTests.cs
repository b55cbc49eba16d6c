using System.Text.RegularExpressions;

namespace MailIngest.Architecture;

/// <summary>
/// The namespaces of MailIngest.Core depend on each other without a cycle (issue #13: Archive, Ledger and Ingestion
/// had come to depend on each other both ways). Read from the source: a file depends on every namespace it has a
/// <c>using</c> for or names in full, and on the root namespace <c>MailIngest</c>, which every namespace below it sees.
/// The composition roots (<c>Microsoft.Extensions.DependencyInjection</c>) wire everything and are left out.
/// </summary>
public sealed partial class NamespaceCycleTests
{
    private const string Root = "MailIngest";

    [Fact]
    public void CoreNamespaces_DependOnEachOtherWithoutACycle()
    {
        var dependencies = ReadDependencies();

        var cycles = dependencies.Keys.Order(StringComparer.Ordinal)
            .Select(start => CycleFrom(start, dependencies))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.True(dependencies.Count > 5, $"Found only {dependencies.Count} namespaces under {CoreFolder}.");
        Assert.True(cycles.Count == 0, "Namespace cycles in MailIngest.Core: " + string.Join("; ", cycles));
    }

    private static string CoreFolder => Path.Combine(RepositoryFolder.Root, "src", "MailIngest.Core");

    /// <summary>Each Core namespace (Archive, Ingestion, ...; the root is "MailIngest") and the ones it depends on.</summary>
    private static Dictionary<string, HashSet<string>> ReadDependencies()
    {
        var dependencies = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(CoreFolder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        foreach (var path in files)
        {
            var text = File.ReadAllText(path);
            var declared = NamespaceLine().Match(text);
            if (!declared.Success || !declared.Groups["name"].Value.StartsWith(Root, StringComparison.Ordinal))
            {
                continue;
            }

            var own = TopLevel(declared.Groups["name"].Value);
            var used = dependencies.TryGetValue(own, out var known) ? known : dependencies[own] = new HashSet<string>(StringComparer.Ordinal);
            if (own != Root)
            {
                used.Add(Root);
            }

            foreach (Match reference in Reference().Matches(text[(declared.Index + declared.Length)..]).Concat(Reference().Matches(text[..declared.Index])))
            {
                var target = $"{Root}.{reference.Groups["name"].Value}";
                if (target != own)
                {
                    used.Add(target);
                }
            }
        }

        return dependencies;
    }

    /// <summary>MailIngest.Ingestion for MailIngest.Ingestion.Anything.</summary>
    private static string TopLevel(string name)
    {
        var parts = name.Split('.');
        return parts.Length > 1 ? $"{parts[0]}.{parts[1]}" : parts[0];
    }

    /// <summary>A path of dependencies from <paramref name="start"/> back to itself, as "A -> B -> A"; null when there is none.</summary>
    private static string? CycleFrom(string start, Dictionary<string, HashSet<string>> dependencies)
    {
        var path = new List<string> { start };
        var visited = new HashSet<string>(StringComparer.Ordinal);
        return Walk(start) ? Canonical(path) : null;

        bool Walk(string current)
        {
            foreach (var next in (dependencies.TryGetValue(current, out var used) ? used : []).Order(StringComparer.Ordinal))
            {
                if (next == start)
                {
                    path.Add(next);
                    return true;
                }

                if (visited.Add(next))
                {
                    path.Add(next);
                    if (Walk(next))
                    {
                        return true;
                    }

                    path.RemoveAt(path.Count - 1);
                }
            }

            return false;
        }
    }

    /// <summary>One spelling per cycle whichever namespace it was found from: rotated to start at its first name.</summary>
    private static string Canonical(List<string> cycle)
    {
        var ring = cycle.Take(cycle.Count - 1).ToList();
        var first = ring.IndexOf(ring.Min(StringComparer.Ordinal)!);
        var rotated = ring.Skip(first).Concat(ring.Take(first)).ToList();
        return string.Join(" -> ", rotated.Append(rotated[0]));
    }

    [GeneratedRegex(@"^namespace (?<name>[\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    /// <summary>A using of a Core namespace (also static or aliased), or a name written in full.</summary>
    [GeneratedRegex(@"\bMailIngest\.(?<name>[A-Z]\w*)\b")]
    private static partial Regex Reference();
}
