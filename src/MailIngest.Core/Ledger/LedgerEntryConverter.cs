using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailIngest.Ledger;

/// <summary>
/// Reads and writes a <see cref="LedgerEntry"/> field by field, as the serializer would (camelCase, defaults left out),
/// but without its path for constructor parameters, which buffers every property before it builds the record: a
/// snapshot holds an entry per message on the server, and reading them was a quarter of a no-new <c>once</c> of 20,000
/// (bench/README.md).
/// </summary>
internal sealed class LedgerEntryConverter : JsonConverter<LedgerEntry>
{
    public override LedgerEntry Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        string? id = null, sha256 = null, key = null, error = null, messageId = null, rawPath = null;
        var state = EntryState.Stored;
        long? size = null;
        var attempts = 0;
        var deleting = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = FieldOf(ref reader);
            reader.Read();
            switch (field)
            {
                case Field.Id: id = reader.GetString(); break;
                case Field.State: state = StateConverter(options).Read(ref reader, typeof(EntryState), options); break;
                case Field.Size: size = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64(); break;
                case Field.Sha256: sha256 = reader.GetString(); break;
                case Field.Key: key = reader.GetString(); break;
                case Field.Attempts: attempts = reader.GetInt32(); break;
                case Field.Error: error = reader.GetString(); break;
                case Field.Deleting: deleting = reader.GetBoolean(); break;
                case Field.MessageId: messageId = reader.GetString(); break;
                case Field.RawPath: rawPath = reader.GetString(); break;
                default:
                    // Written by a later version: what this one does not know, it leaves out.
                    reader.Skip();
                    break;
            }
        }

        Expect(ref reader, JsonTokenType.EndObject);
        return new LedgerEntry(id ?? throw new JsonException("A ledger entry has no id."), state)
        {
            Size = size,
            Sha256 = sha256,
            Key = key,
            Attempts = attempts,
            Error = error,
            Deleting = deleting,
            MessageId = messageId,
            RawPath = rawPath,
        };
    }

    public override void Write(Utf8JsonWriter writer, LedgerEntry value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, value.Id);
        if (value.State != EntryState.Stored)
        {
            writer.WritePropertyName("state"u8);
            StateConverter(options).Write(writer, value.State, options);
        }

        if (value.Size is { } size)
        {
            writer.WriteNumber("size"u8, size);
        }

        WriteIfSet(writer, "sha256"u8, value.Sha256);
        WriteIfSet(writer, "key"u8, value.Key);
        if (value.Attempts != 0)
        {
            writer.WriteNumber("attempts"u8, value.Attempts);
        }

        WriteIfSet(writer, "error"u8, value.Error);
        if (value.Deleting)
        {
            writer.WriteBoolean("deleting"u8, true);
        }

        WriteIfSet(writer, "messageId"u8, value.MessageId);
        WriteIfSet(writer, "rawPath"u8, value.RawPath);
        writer.WriteEndObject();
    }

    /// <summary>The options' converter for the state, so that its names are spelt in one place (<see cref="EntryState"/>).</summary>
    private static JsonConverter<EntryState> StateConverter(JsonSerializerOptions options) =>
        (JsonConverter<EntryState>)options.GetTypeInfo(typeof(EntryState)).Converter;

    private static void WriteIfSet(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static Field FieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("id"u8) ? Field.Id
        : reader.ValueTextEquals("size"u8) ? Field.Size
        : reader.ValueTextEquals("sha256"u8) ? Field.Sha256
        : reader.ValueTextEquals("state"u8) ? Field.State
        : reader.ValueTextEquals("key"u8) ? Field.Key
        : reader.ValueTextEquals("attempts"u8) ? Field.Attempts
        : reader.ValueTextEquals("error"u8) ? Field.Error
        : reader.ValueTextEquals("deleting"u8) ? Field.Deleting
        : reader.ValueTextEquals("messageId"u8) ? Field.MessageId
        : reader.ValueTextEquals("rawPath"u8) ? Field.RawPath
        : Field.Unknown;

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (reader.TokenType != expected)
        {
            throw new JsonException($"A ledger entry is not a JSON object (found {reader.TokenType} at byte {reader.TokenStartIndex}).");
        }
    }

    private enum Field
    {
        Unknown,
        Id,
        State,
        Size,
        Sha256,
        Key,
        Attempts,
        Error,
        Deleting,
        MessageId,
        RawPath,
    }
}
