using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace MailIngest.Archive;

/// <summary>The JSON shape of everything the archive stores: camelCase, indented, non-ASCII text kept readable.</summary>
[JsonSerializable(typeof(MessageManifest))]
[JsonSerializable(typeof(QuarantineRecord))]
internal sealed partial class ArchiveJson : JsonSerializerContext
{
    public const string ContentType = "application/json";

    /// <summary>Options with relaxed escaping: these files are read by tools and people, never embedded in HTML.</summary>
    public static ArchiveJson Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Writes <paramref name="value"/> as one JSON object; returns the archive's new version of it.</summary>
    public static Task<string> WriteAsync<T>(
        IMailArchive archive,
        string path,
        T value,
        JsonTypeInfo<T> type,
        ArchiveObjectInfo info,
        WriteCondition condition,
        CancellationToken cancellationToken) =>
        archive.WriteAsync(
            path, info with { ContentType = ContentType }, (stream, ct) => JsonSerializer.SerializeAsync(stream, value, type, ct), condition, cancellationToken);
}
