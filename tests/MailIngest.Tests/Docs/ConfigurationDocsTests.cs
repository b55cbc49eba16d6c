using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using MailIngest.Configuration;
using MailIngest.Host.Hosting;
using MailIngest.Tests.Cli;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MailIngest.Tests.Docs;

/// <summary>
/// docs/configuration.md documents every setting of every options class bound under <c>MailIngest</c>, and nothing else:
/// each heading names a section by its path (<c>MailIngest:Mailboxes:NAME</c>), each table row a key in it, with the
/// code's default first in its default column. The options classes are the ones the application registers
/// (<see cref="MailIngestSections"/>), so a new section is checked as soon as it is registered.
/// </summary>
// The application is built from the configuration and the environment, which UnknownKeyTests changes: run apart from it.
[Collection(CliRun.Collection)]
public sealed partial class ConfigurationDocsTests
{
    private const string Document = "docs/configuration.md";

    [Fact]
    public async Task Options_FoundByReflection_IncludeEverySectionAndNestedOne()
    {
        var options = await ReflectOptionsAsync();

        Assert.Contains("MailIngest:MaxConcurrentMailboxes", options.Keys);
        Assert.Contains("MailIngest:Mailboxes:NAME:MaxRunTime", options.Keys);
        Assert.Contains("MailIngest:Mailboxes:NAME:Microsoft365:TenantId", options.Keys);
        Assert.Contains("MailIngest:Decoding:MaxParts", options.Keys);
        Assert.Contains("MailIngest:Storage:Path", options.Keys);
        Assert.Contains("MailIngest:Scheduler:Clustered", options.Keys);
        Assert.Contains("MailIngest:Telemetry:OtlpEndpoint", options.Keys);
    }

    [Fact]
    public async Task EveryOption_IsDocumented()
    {
        var options = await ReflectOptionsAsync();

        var undocumented = options.Keys.Except(ReadDocument().Keys).Order(StringComparer.Ordinal)
            .Select(path => $"{path} (default {options[path]}): add a row `{Key(path)}` under the heading `{Section(path)}`")
            .ToList();

        Assert.True(undocumented.Count == 0, $"{Document} lacks:\n{string.Join('\n', undocumented)}");
    }

    [Fact]
    public async Task EveryDocumentedKey_IsAnOption()
    {
        var options = await ReflectOptionsAsync();

        var unknown = ReadDocument().Keys.Except(options.Keys).Order(StringComparer.Ordinal).ToList();

        Assert.True(unknown.Count == 0, $"{Document} documents settings that no options class has:\n{string.Join('\n', unknown)}");
    }

    [Fact]
    public async Task EveryDocumentedDefault_IsTheCodes()
    {
        var (options, documented) = (await ReflectOptionsAsync(), ReadDocument());

        var stale = options.Where(option => documented.TryGetValue(option.Key, out var cell) && !cell.StartsWith(option.Value, StringComparison.Ordinal))
            .Select(option => $"{option.Key}: the code's default is {option.Value}, the document's default column says '{documented[option.Key]}'")
            .ToList();

        Assert.True(stale.Count == 0, $"{Document} has stale defaults:\n{string.Join('\n', stale)}");
    }

    private static string Section(string path) => path[..path.LastIndexOf(':')];

    private static string Key(string path) => path[(path.LastIndexOf(':') + 1)..];

    /// <summary>Every setting, by path, with its default as the document writes it: <c>`value`</c>, or <c>empty</c>.</summary>
    private static async Task<Dictionary<string, string>> ReflectOptionsAsync()
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, type) in await RegisteredSectionsAsync())
        {
            Walk(path, type, options);
        }

        return options;
    }

    private static void Walk(string section, Type type, Dictionary<string, string> options)
    {
        var defaults = Activator.CreateInstance(type);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
        {
            var path = $"{section}:{property.Name}";
            if (IsValue(property.PropertyType) || ElementType(property.PropertyType) is { } element && IsValue(element))
            {
                options[path] = Format(property.GetValue(defaults));
            }
            else if (ElementType(property.PropertyType) is { } entry)
            {
                // A dictionary's keys (mailbox names) and a list's indexes are the operator's; the document writes NAME and N.
                Walk($"{path}:{(IsDictionary(property.PropertyType) ? "NAME" : "N")}", entry, options);
            }
            else
            {
                Walk(path, Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, options);
            }
        }
    }

    private static string Format(object? value) => value switch
    {
        null or "" => "empty",
        bool b => b ? "`true`" : "`false`",
        TimeSpan t => $"`{t.ToString("c", CultureInfo.InvariantCulture)}`",
        string or Enum => $"`{value}`",
        IFormattable f => $"`{f.ToString(null, CultureInfo.InvariantCulture)}`",
        IEnumerable items => items.Cast<object>().Select(Format).ToList() is { Count: > 0 } formatted ? string.Join(", ", formatted) : "empty",
        _ => $"`{value}`",
    };

    /// <summary>A type the configuration binder reads from one string, as it decides it.</summary>
    private static bool IsValue(Type type) => TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    private static bool IsDictionary(Type type) => type.IsGenericType && type.GetGenericArguments().Length == 2 && typeof(IDictionary).IsAssignableFrom(type);

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : IsDictionary(type) ? type.GetGenericArguments()[1]
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0]
        : null;

    /// <summary>The sections the application registers, as <c>mailingest</c> builds it for a minimal valid configuration.</summary>
    private static async Task<IReadOnlyDictionary<string, Type>> RegisteredSectionsAsync()
    {
        var folder = Directory.CreateTempSubdirectory("mailingest-docs-");
        try
        {
            var config = Path.Combine(folder.FullName, "settings.json");
            await File.WriteAllTextAsync(config, $$"""
                { "MailIngest": { "Storage": { "Path": "{{Path.Combine(folder.FullName, "data").Replace(@"\", @"\\", StringComparison.Ordinal)}}" },
                  "Mailboxes": { "support": { "Host": "h", "Username": "u" } } } }
                """);
            Assert.True(MailIngestApp.TryStart(new AppSettings(new FileInfo(config), LogFormat.Simple), out var app), "mailingest did not start.");
            await using (app)
            {
                return app.Services.GetRequiredService<IOptions<MailIngestSections>>().Value.Types;
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Every documented setting, by path, with its default column.</summary>
    private static Dictionary<string, string> ReadDocument()
    {
        var documented = new Dictionary<string, string>(StringComparer.Ordinal);
        string? section = null;
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRoot(), Document)))
        {
            if (line.StartsWith('#'))
            {
                section = SectionHeading().Match(line) is { Success: true } heading ? heading.Groups["path"].Value : null;
            }
            else if (section is not null && Row().Match(line) is { Success: true } row)
            {
                Assert.True(documented.TryAdd($"{section}:{row.Groups["key"].Value}", row.Groups["default"].Value.Trim()), $"{section}:{row.Groups["key"].Value} is documented twice.");
            }
        }

        return documented;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MailIngest.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No MailIngest.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>A heading that is a section's path alone: <c>## `MailIngest:Mailboxes:NAME`</c>.</summary>
    [GeneratedRegex(@"^#+\s+`(?<path>MailIngest(:[A-Za-z0-9]+)*)`\s*$")]
    private static partial Regex SectionHeading();

    /// <summary>A table row: <c>| `Key` | type | default | meaning |</c>.</summary>
    [GeneratedRegex(@"^\|\s*`(?<key>[A-Za-z0-9]+)`\s*\|[^|]*\|(?<default>[^|]*)\|")]
    private static partial Regex Row();
}
