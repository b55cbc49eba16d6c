using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace MailIngest.Events;

/// <summary>
/// Makes the CloudEvents 1.0 event about a message, in the structured JSON format (docs/events.md), at most
/// <see cref="MaxBytes"/>: an Azure queue message's limit, and far more than any consumer needs of a pointer.
/// </summary>
internal static class CloudEventFormat
{
    /// <summary>The largest event: Azure Storage's limit for a queue message.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The structured format's media type, as a webhook's request names it.</summary>
    public const string ContentType = "application/cloudevents+json; charset=utf-8";

    /// <summary>Strings beyond this are cut when the lists alone cannot bring an event within its size.</summary>
    private const int MaxStringLength = 256;

    private static readonly JsonWriterOptions Writing = new() { Encoder = EventJson.Relaxed.Options.Encoder };

    public static string TypeName(MessageEventType type) => type switch
    {
        MessageEventType.Stored => "mailingest.message.stored",
        MessageEventType.Quarantined => "mailingest.message.quarantined",
        _ => "mailingest.message.reprocessed",
    };

    /// <summary>The event as sent; the lists of attachments and recipients are cut, with a count of what was left out, to keep it within its size.</summary>
    /// <param name="facts">What the event says.</param>
    /// <param name="archive">Where the archive is (its location), so that a consumer can resolve the paths.</param>
    public static byte[] Encode(MessageEventFacts facts, string archive)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var full = Data(facts, archive);
        var encoded = Encode(facts, full);
        if (encoded.Length <= MaxBytes)
        {
            return encoded;
        }

        // Attachments first: the manifest lists them all. Then recipients, then the longest strings.
        var attachments = facts.Attachments;
        var kept = Largest(attachments.Count, n => Cut(full, attachments, n, facts.To, facts.To.Count, facts.Cc, facts.Cc.Count), facts);
        if (kept is { } fitting)
        {
            return Encode(facts, Cut(full, attachments, fitting, facts.To, facts.To.Count, facts.Cc, facts.Cc.Count));
        }

        var recipients = Math.Max(facts.To.Count, facts.Cc.Count);
        var cap = Largest(recipients, n => Cut(full, attachments, 0, facts.To, n, facts.Cc, n), facts);
        var data = Cut(full, attachments, 0, facts.To, cap ?? 0, facts.Cc, cap ?? 0);
        if (cap is null)
        {
            data = data with
            {
                Subject = Shorten(data.Subject),
                From = data.From?.Select(f => Shorten(f)!).ToList(),
                Error = Shorten(data.Error),
                MessageId = Shorten(data.MessageId),
            };
        }

        encoded = Encode(facts, data);
        return encoded.Length <= MaxBytes
            ? encoded
            : throw new InvalidOperationException($"The event about {facts.Key} is {encoded.Length} bytes even with every list cut; the limit is {MaxBytes}.");
    }

    private static EventData Data(MessageEventFacts facts, string archive)
    {
        // A stored or reprocessed message has a manifest, which the event summarises; a quarantined one a record.
        var manifest = facts.Type != MessageEventType.Quarantined;
        return new EventData(facts.Mailbox, facts.Key, facts.Uidl, archive)
        {
            Manifest = manifest ? facts.Record : null,
            Record = manifest ? null : facts.Record,
            Raw = facts.Raw,
            MessageId = facts.MessageId,
            Subject = facts.Subject,
            From = manifest || facts.From.Count > 0 ? facts.From : null,
            To = manifest || facts.To.Count > 0 ? facts.To : null,
            Cc = facts.Cc.Count > 0 ? facts.Cc : null,
            Date = facts.Date,
            Size = facts.Size,
            AttachmentCount = manifest ? facts.Attachments.Count : null,
            Attachments = manifest ? facts.Attachments : null,
            Reason = facts.Reason,
            Error = facts.Error,
            Change = facts.Change,
        };
    }

    private static EventData Cut(
        EventData full, IReadOnlyList<EventAttachment> attachments, int keepAttachments, IReadOnlyList<string> to, int keepTo, IReadOnlyList<string> cc, int keepCc) =>
        full with
        {
            Attachments = full.Attachments is null ? null : [.. attachments.Take(keepAttachments)],
            AttachmentsOmitted = full.Attachments is null || keepAttachments >= attachments.Count ? null : attachments.Count - keepAttachments,
            To = full.To is null ? null : [.. to.Take(keepTo)],
            ToOmitted = keepTo >= to.Count ? null : to.Count - keepTo,
            Cc = full.Cc is null ? null : [.. cc.Take(keepCc)],
            CcOmitted = keepCc >= cc.Count ? null : cc.Count - keepCc,
        };

    /// <summary>The largest n in [0, count] whose data fits (a binary search), or null when not even 0 does.</summary>
    private static int? Largest(int count, Func<int, EventData> data, MessageEventFacts facts)
    {
        if (Encode(facts, data(0)).Length > MaxBytes)
        {
            return null;
        }

        if (Encode(facts, data(count)).Length <= MaxBytes)
        {
            return count;
        }

        var (fits, tooMany) = (0, count);
        while (tooMany - fits > 1)
        {
            var middle = fits + ((tooMany - fits) / 2);
            (fits, tooMany) = Encode(facts, data(middle)).Length <= MaxBytes ? (middle, tooMany) : (fits, middle);
        }

        return fits;
    }

    private static string? Shorten(string? text) => text is { Length: > MaxStringLength } ? text[..MaxStringLength] + "…" : text;

    /// <summary>
    /// The structured JSON format written out: its eight attributes are all an event of ours has, so the CloudEvents
    /// SDK's formatter is not needed for it (and its reflection cannot be compiled ahead of time: docs/architecture.md,
    /// "The build"). The tests read each event back with the SDK.
    /// </summary>
    private static byte[] Encode(MessageEventFacts facts, EventData data)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Writing))
        {
            json.WriteStartObject();
            json.WriteString("specversion", "1.0");
            json.WriteString("id", facts.Id);
            json.WriteString("source", $"mailingest/{facts.Mailbox}");
            json.WriteString("type", TypeName(facts.Type));
            json.WriteString("subject", facts.Record);
            // RFC 3339 in UTC: 2026-11-27T16:26:44.512Z.
            json.WriteString("time", facts.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
            json.WriteString("datacontenttype", "application/json");
            json.WritePropertyName("data");
            JsonSerializer.Serialize(json, data, EventJson.Relaxed.EventData);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
