namespace MailIngest.Configuration;

/// <summary>
/// The sections of the <c>MailIngest</c> configuration and the options class each binds to. The sections are owned by
/// different projects, so each adds its own with <c>services.AddMailIngestSection&lt;T&gt;(path)</c>; at start the host
/// refuses any key, at any depth, that no registered class has (docs/configuration.md), instead of ignoring it.
/// </summary>
public sealed class MailIngestSections
{
    private readonly Dictionary<string, Type> _types = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Section paths and their options classes: <c>MailIngest</c> itself (its class's properties are keys directly under
    /// it) or <c>MailIngest:KEY</c> (one more key directly under it).
    /// </summary>
    public IReadOnlyDictionary<string, Type> Types => _types;

    internal void Add(string path, Type type)
    {
        if (_types.TryGetValue(path, out var registered) && registered != type)
        {
            throw new InvalidOperationException($"{path} is bound to {registered.Name} already; it cannot also be {type.Name}.");
        }

        _types[path] = type;
    }
}
