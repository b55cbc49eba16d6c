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
        // One converter per enum, not the non-generic one: that makes its converter at run time, which the ahead-of-time
        // compiled build cannot (docs/architecture.md, "The build").
        Converters = { new JsonStringEnumConverter<QuarantineReason>(JsonNamingPolicy.CamelCase) },
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

    /// <summary>The manifest in <paramref name="folder"/>, or null when there is none.</summary>
    /// <exception cref="JsonException">It is not a manifest.</exception>
    public static Task<MessageManifest?> ReadManifestAsync(IMailArchive archive, string folder, CancellationToken cancellationToken) =>
        ReadAsync(archive, $"{folder}/{ArchiveLayout.ManifestName}", Readable.MessageManifest, cancellationToken);

    /// <summary>The quarantine record (<c>error.json</c>) of the message with <paramref name="key"/>, or null when there is none.</summary>
    /// <exception cref="JsonException">It is not a quarantine record.</exception>
    public static Task<QuarantineRecord?> ReadQuarantineRecordAsync(IMailArchive archive, string mailbox, string key, CancellationToken cancellationToken) =>
        ReadAsync(archive, $"{ArchiveLayout.QuarantineFolder(mailbox, key)}/{ArchiveLayout.ErrorName}", Readable.QuarantineRecord, cancellationToken);

    public static Task<string> WriteQuarantineRecordAsync(IMailArchive archive, QuarantineRecord record, WriteCondition condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return WriteAsync(
            archive,
            $"{ArchiveLayout.QuarantineFolder(record.Mailbox, record.Key)}/{ArchiveLayout.ErrorName}",
            record,
            Readable.QuarantineRecord,
            new ArchiveObjectInfo(ContentType, ArchiveObjectKind.Quarantine, record.Mailbox) { Uidl = record.Uidl },
            condition,
            cancellationToken);
    }

    private static async Task<T?> ReadAsync<T>(IMailArchive archive, string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        var stored = await archive.ReadAsync(path, cancellationToken);
        return stored is null ? null : JsonSerializer.Deserialize(stored.Content.Span, type);
    }
}
