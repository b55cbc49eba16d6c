using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace MailIngest.Chart.Tests;

/// <summary>The manifests <c>helm template</c> printed, parsed as YAML documents.</summary>
internal sealed class Rendered
{
    private Rendered(IReadOnlyList<YamlMappingNode> documents) => Documents = documents;

    public IReadOnlyList<YamlMappingNode> Documents { get; }

    public static Rendered Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return new Rendered([.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()]);
    }

    public IEnumerable<string> Kinds => Documents.Select(d => d.Text("kind"));

    public YamlMappingNode Single(string kind) => Assert.Single(Documents, d => d.Text("kind") == kind);

    /// <summary>The pod spec of the CronJob's Job or of the Deployment.</summary>
    public YamlMappingNode PodTemplate() => Kinds.Contains("CronJob")
        ? Single("CronJob").Map("spec", "jobTemplate", "spec", "template")
        : Single("Deployment").Map("spec", "template");

    public YamlMappingNode Container() => (YamlMappingNode)Assert.Single(PodTemplate().Seq("spec", "containers"));

    public IReadOnlyList<string> Args() => [.. Container().Seq("args").Select(a => ((YamlScalarNode)a).Value!)];

    /// <summary>The container's environment variables by name.</summary>
    public IReadOnlyDictionary<string, YamlMappingNode> Env() =>
        Container().Seq("env").Cast<YamlMappingNode>().ToDictionary(e => e.Text("name"));

    /// <summary>The ConfigMap's appsettings.json, parsed.</summary>
    public JsonNode AppSettings() => JsonNode.Parse(Single("ConfigMap").Text("data", "appsettings.json"))!;
}

/// <summary>Walks parsed YAML by keys, failing the test with the path when a key is missing.</summary>
internal static class YamlPath
{
    public static YamlNode Node(this YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            var map = Assert.IsType<YamlMappingNode>(current);
            Assert.True(map.Children.TryGetValue(new YamlScalarNode(key), out var child), $"no '{key}' in {string.Join(".", path)}");
            current = child;
        }

        return current;
    }

    public static YamlMappingNode Map(this YamlMappingNode node, params string[] path) => Assert.IsType<YamlMappingNode>(node.Node(path));

    public static YamlSequenceNode Seq(this YamlMappingNode node, params string[] path) => Assert.IsType<YamlSequenceNode>(node.Node(path));

    public static string Text(this YamlMappingNode node, params string[] path) => Assert.IsType<YamlScalarNode>(node.Node(path)).Value!;

    public static int Int(this YamlMappingNode node, params string[] path) =>
        int.Parse(node.Text(path), System.Globalization.CultureInfo.InvariantCulture);

    public static bool Has(this YamlMappingNode node, string key) => node.Children.ContainsKey(new YamlScalarNode(key));
}
