using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace MailIngest.Events.Tests;

public sealed class CloudEventFormatTests
{
    private static readonly DateTimeOffset StoredAt = new(2026, 11, 27, 10, 15, 2, TimeSpan.Zero);

    private static MessageEventFacts Stored(int attachments = 1) => new(
        MessageEventType.Stored,
        "support",
        "kickoff-1a2b3c4d5e6f",
        "0001",
        "messages/support/2026/11/27/kickoff-1a2b3c4d5e6f/manifest.json",
        "messages/support/2026/11/27/kickoff-1a2b3c4d5e6f/message.eml",
        StoredAt)
    {
        MessageId = "kickoff@example.com",
        Subject = "Kick-off: Größen & Termine",
        From = ["Anna <anna@example.com>"],
        To = ["support@example.com"],
        Date = StoredAt.AddMinutes(-3),
        Size = 18_211,
        Attachments = [.. Enumerable.Range(1, attachments).Select(n =>
            new EventAttachment($"Anhang-{n:D3} mit einem recht langen Namen.pdf", 1_000 + n, "application/pdf", $"attachments/{n:D3}-Anhang-{n:D3}.pdf"))],
    };

    private static CloudEvent Decode(byte[] body) => new JsonEventFormatter().DecodeStructuredModeMessage(body, null, null);

    [Fact]
    public void Encode_StoredMessage_IsACloudEventThatPointsAtTheManifest()
    {
        var body = CloudEventFormat.Encode(Stored(), "/srv/mail");

        var cloudEvent = Decode(body);
        Assert.Equal(CloudEventsSpecVersion.V1_0, cloudEvent.SpecVersion);
        Assert.Equal("kickoff-1a2b3c4d5e6f", cloudEvent.Id);
        Assert.Equal("mailingest/support", cloudEvent.Source!.ToString());
        Assert.Equal("mailingest.message.stored", cloudEvent.Type);
        Assert.Equal("messages/support/2026/11/27/kickoff-1a2b3c4d5e6f/manifest.json", cloudEvent.Subject);
        Assert.Equal(StoredAt, cloudEvent.Time);
        Assert.Equal("application/json", cloudEvent.DataContentType);
        var data = (JsonElement)cloudEvent.Data!;
        Assert.Equal("/srv/mail", data.GetProperty("archive").GetString());
        Assert.Equal("messages/support/2026/11/27/kickoff-1a2b3c4d5e6f/message.eml", data.GetProperty("raw").GetString());
        Assert.Equal("Kick-off: Größen & Termine", data.GetProperty("subject").GetString());
        Assert.Equal("Anna <anna@example.com>", data.GetProperty("from")[0].GetString());
        Assert.Equal(18_211, data.GetProperty("size").GetInt64());
        Assert.Equal(1, data.GetProperty("attachmentCount").GetInt32());
        Assert.Equal(1_001, data.GetProperty("attachments")[0].GetProperty("size").GetInt64());
        Assert.False(data.TryGetProperty("attachmentsOmitted", out _));
        Assert.False(data.TryGetProperty("record", out _));
    }

    [Fact]
    public void Encode_FiveHundredAttachments_CutsTheListToStayWithin64KiBAndCountsWhatItLeftOut()
    {
        var body = CloudEventFormat.Encode(Stored(attachments: 500), "/srv/mail");

        Assert.InRange(body.Length, 60 * 1024, CloudEventFormat.MaxBytes);
        var data = (JsonElement)Decode(body).Data!;
        var listed = data.GetProperty("attachments").GetArrayLength();
        Assert.Equal(500, data.GetProperty("attachmentCount").GetInt32());
        Assert.Equal(500 - listed, data.GetProperty("attachmentsOmitted").GetInt32());
        Assert.InRange(listed, 100, 499);
        Assert.Equal("Anhang-001 mit einem recht langen Namen.pdf", data.GetProperty("attachments")[0].GetProperty("fileName").GetString());
    }

    [Fact]
    public void Encode_TenThousandRecipientsAndNoRoomForThem_CutsRecipientsToo()
    {
        var facts = Stored(attachments: 0) with { To = [.. Enumerable.Range(1, 10_000).Select(n => $"recipient-{n:D5}@example.com")] };

        var body = CloudEventFormat.Encode(facts, "/srv/mail");

        Assert.True(body.Length <= CloudEventFormat.MaxBytes, $"{body.Length} bytes");
        var data = (JsonElement)Decode(body).Data!;
        Assert.Equal(10_000, data.GetProperty("to").GetArrayLength() + data.GetProperty("toOmitted").GetInt32());
    }

    [Fact]
    public void Encode_QuarantinedWithoutBytes_HasItsOwnIdAndPointsAtTheRecord()
    {
        var facts = new MessageEventFacts(
            MessageEventType.Quarantined, "support", "big-0123456789ab", "big", "quarantine/support/big-0123456789ab/error.json", null, StoredAt)
        {
            Size = 90_000_000,
            Reason = "tooLarge",
            Error = "larger than MaxMessageSize",
        };

        var cloudEvent = Decode(CloudEventFormat.Encode(facts, "/srv/mail"));

        Assert.Equal("big-0123456789ab-quarantined", cloudEvent.Id);
        Assert.Equal("mailingest.message.quarantined", cloudEvent.Type);
        var data = (JsonElement)cloudEvent.Data!;
        Assert.Equal("quarantine/support/big-0123456789ab/error.json", data.GetProperty("record").GetString());
        Assert.Equal("tooLarge", data.GetProperty("reason").GetString());
        Assert.False(data.TryGetProperty("raw", out _));
        Assert.False(data.TryGetProperty("manifest", out _));
    }
}
