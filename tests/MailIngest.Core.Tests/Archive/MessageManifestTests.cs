using System.Text.Json;
using System.Text.Json.Nodes;
using MailIngest.Archive;

namespace MailIngest.Core.Tests.Archive;

/// <summary>The manifest's field names are a contract with consumers (docs/storage.md): these tests fail on a rename.</summary>
public class MessageManifestTests
{
    private static string Json() => JsonSerializer.Serialize(
        new MessageManifest(
            MessageManifest.CurrentSchemaVersion,
            "support",
            "uidl-1",
            "key-1",
            DateTimeOffset.UnixEpoch,
            "id@example.com",
            "Grüße 邮件",
            ["A <a@example.com>"],
            ["b@example.com"],
            [],
            DateTimeOffset.UnixEpoch,
            new StoredRaw("message.eml", 10, "aa"),
            [new StoredBody("body.txt", "text/plain", "utf-8", "gb2312", 5, "bb")],
            [new StoredAttachment("attachments/01-a.pdf", "a.pdf", "application/pdf", 3, "cc", false, null, "mime")],
            ["w"]),
        ArchiveJson.Readable.MessageManifest);

    private static JsonObject Serialize() => JsonNode.Parse(Json())!.AsObject();

    [Fact]
    public void Serialize_TopLevel_HasTheContractFieldNames()
    {
        Assert.Equal(
            ["schemaVersion", "mailbox", "uidl", "key", "ingestedAt", "messageId", "subject", "from", "to", "cc", "date",
             "raw", "bodies", "attachments", "warnings", "decoderVersion", "reprocessedAt"],
            Serialize().Select(p => p.Key));
    }

    [Fact]
    public void Serialize_Parts_HaveTheContractFieldNames()
    {
        var manifest = Serialize();

        Assert.Equal(["path", "size", "sha256"], manifest["raw"]!.AsObject().Select(p => p.Key));
        Assert.Superset(
            new HashSet<string> { "path", "contentType", "charset", "size", "sha256" },
            manifest["bodies"]![0]!.AsObject().Select(p => p.Key).ToHashSet());
        Assert.Equal(
            ["path", "fileName", "contentType", "size", "sha256", "inline", "contentId", "source"],
            manifest["attachments"]![0]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Serialize_NonAsciiText_IsWrittenReadably()
    {
        Assert.Contains("\"subject\": \"Grüße 邮件\"", Json(), StringComparison.Ordinal);
    }
}
