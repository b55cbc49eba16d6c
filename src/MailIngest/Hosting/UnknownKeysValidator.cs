using System.Collections;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using MailIngest.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Options;

namespace MailIngest.Host.Hosting;

/// <summary>
/// Refuses a key under <c>MailIngest</c>, at any depth, that no registered options class has (<see cref="MailIngestSections"/>):
/// the binder would ignore it, and a misspelt <c>Storge</c> would store the mail in the default <c>./data</c>, which in a
/// container dies with the pod. Each error names the key, the file or environment variable that set it, and the closest
/// key that exists.
/// </summary>
internal sealed class UnknownKeysValidator(IConfigurationRoot configuration) : IValidateOptions<MailIngestSections>
{
    /// <summary>Why the reflection over the options classes finds in the compiled program what it finds in a build.</summary>
    private const string OptionsKeptWhole =
        "The options classes are MailIngest's own, in the assemblies the ahead-of-time compiled program keeps whole " +
        "(TrimmerRootAssembly, src/MailIngest/Program.props); their properties are of those classes or of the runtime's " +
        "values and collections. Tested on the compiled program: IntegrationTests' UnknownKeyTests.";

    public ValidateOptionsResult Validate(string? name, MailIngestSections options)
    {
        var root = configuration.GetSection(MailIngestOptions.SectionName);
        var members = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, type) in options.Types)
        {
            if (path.Equals(MailIngestOptions.SectionName, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var property in Properties(type))
                {
                    members[property.Name] = property.PropertyType;
                }
            }
            else
            {
                members[ConfigurationPath.GetSectionKey(path)] = type;
            }
        }

        var errors = new List<string>();
        CheckMembers(root, members, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private void Check(IConfigurationSection section, Type type, List<string> errors)
    {
        if (IsValue(type))
        {
            CheckMembers(section, new Dictionary<string, Type>(), errors);
        }
        else if (ElementType(type) is { } element)
        {
            // Dictionary keys (mailbox names) and list indexes are the operator's to choose; their values are checked.
            foreach (var child in section.GetChildren())
            {
                Check(child, element, errors);
            }
        }
        else
        {
            CheckMembers(section, Properties(type).ToDictionary(p => p.Name, p => p.PropertyType, StringComparer.OrdinalIgnoreCase), errors);
        }
    }

    private void CheckMembers(IConfigurationSection section, Dictionary<string, Type> members, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            if (members.TryGetValue(child.Key, out var type))
            {
                Check(child, type, errors);
            }
            else
            {
                var hint = Closest(child.Key, members.Keys) is { } closest ? $"did you mean '{closest}'?"
                    : members.Count == 0 ? $"{section.Path} takes a value, not keys."
                    : $"the keys there are {string.Join(", ", members.Keys.Order(StringComparer.Ordinal))}.";
                errors.Add($"Unknown key '{child.Key}' at {child.Path} ({Origin(child.Path)}): {hint} See docs/configuration.md.");
            }
        }
    }

    /// <summary>Where the key was set: the configuration file, or the environment variables spelled out.</summary>
    private string Origin(string path)
    {
        var (parent, key) = (ConfigurationPath.GetParentPath(path), ConfigurationPath.GetSectionKey(path));
        var origins = configuration.Providers
            .Where(provider => provider.GetChildKeys([], parent).Contains(key, StringComparer.OrdinalIgnoreCase))
            .Select(provider => provider switch
            {
                FileConfigurationProvider file => $"in {file.Source.FileProvider?.GetFileInfo(file.Source.Path ?? "").PhysicalPath ?? file.Source.Path}",
                EnvironmentVariablesConfigurationProvider => $"from the environment: {string.Join(", ", Variables(path))}",
                _ => $"from {provider}",
            });
        return string.Join("; ", origins);
    }

    /// <summary>The environment variables that set <paramref name="path"/> or a key under it, as the environment spells them.</summary>
    private static IEnumerable<string> Variables(string path) =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(variable => variable.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal) is var key
                && (key.Equals(path, StringComparison.OrdinalIgnoreCase) || key.StartsWith(path + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal);

    /// <summary>The known key nearest in spelling, when it is near enough to be what was meant.</summary>
    private static string? Closest(string key, IEnumerable<string> known) =>
        known.Select(candidate => (Candidate: candidate, Distance: Distance(key.ToUpperInvariant(), candidate.ToUpperInvariant())))
            .Where(c => c.Distance <= Math.Max(2, c.Candidate.Length / 3))
            .OrderBy(c => c.Distance)
            .Select(c => c.Candidate)
            .FirstOrDefault();

    /// <summary>Edits (insert, delete, replace, swap two neighbours) that turn <paramref name="a"/> into <paramref name="b"/>.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>The keys the binder fills in: public instance properties.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = OptionsKeptWhole)]
    private static PropertyInfo[] Properties(Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance);

    /// <summary>A type the binder reads from one string (number, enum, TimeSpan, string, …), as it decides it.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsKeptWhole)]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = OptionsKeptWhole)]
    private static bool IsValue(Type type) => TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    /// <summary>The value type of a dictionary or the element type of a list or array; null for anything else.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = OptionsKeptWhole)]
    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var interfaces = type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces();
        var generic = interfaces.Where(i => i.IsGenericType).ToList();
        return generic.FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IDictionary<,>))?.GetGenericArguments()[1]
            ?? generic.FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))?.GetGenericArguments()[1]
            ?? (typeof(IEnumerable).IsAssignableFrom(type)
                ? generic.FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0]
                : null);
    }
}
