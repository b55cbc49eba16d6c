using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailIngest.Ledger;

/// <summary>
/// The ledger's JSON: camelCase, defaults left out (most entries are just an ID, a state, a size and a hash). The
/// snapshot is indented for people; journal lines are one object each.
/// </summary>
[JsonSerializable(typeof(LedgerSnapshot))]
[JsonSerializable(typeof(LedgerChange))]
internal sealed partial class LedgerJson : JsonSerializerContext
{
    public static LedgerJson Snapshot { get; } = new(CreateOptions(indented: true));

    public static LedgerJson Line { get; } = new(CreateOptions(indented: false));

    private static JsonSerializerOptions CreateOptions(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
        WriteIndented = indented,
        // One converter per enum: see ArchiveJson.
        Converters =
        {
            new LedgerEntryConverter(),
            new JsonStringEnumConverter<EntryState>(JsonNamingPolicy.CamelCase),
            new JsonStringEnumConverter<RunOutcome>(JsonNamingPolicy.CamelCase),
        },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
