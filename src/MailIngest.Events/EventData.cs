using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailIngest.Events;

/// <summary>
/// An event's <c>data</c>: a summary of the manifest (or quarantine record) and where the message lies, never its
/// content. Field names are a contract with consumers (docs/events.md): add fields freely, never rename.
/// </summary>
internal sealed record EventData(string Mailbox, string Key, string Uidl, string Archive)
{
    /// <summary>The manifest's path (a stored message).</summary>
    public string? Manifest { get; init; }

    /// <summary>The quarantine record's path (a quarantined message).</summary>
    public string? Record { get; init; }

    /// <summary>The raw message's path; null for a message recorded without its bytes.</summary>
    public string? Raw { get; init; }

    public string? MessageId { get; init; }

    public string? Subject { get; init; }

    public IReadOnlyList<string>? From { get; init; }

    public IReadOnlyList<string>? To { get; init; }

    /// <summary>Recipients left out of <see cref="To"/> to keep the event within its size.</summary>
    public int? ToOmitted { get; init; }

    public IReadOnlyList<string>? Cc { get; init; }

    public int? CcOmitted { get; init; }

    public DateTimeOffset? Date { get; init; }

    /// <summary>The raw message's size in bytes (for a message not fetched: the server's listed size).</summary>
    public long? Size { get; init; }

    /// <summary>How many attachments the message has, all of them.</summary>
    public int? AttachmentCount { get; init; }

    public IReadOnlyList<EventAttachment>? Attachments { get; init; }

    /// <summary>Attachments left out of <see cref="Attachments"/> to keep the event within its size; the manifest lists all.</summary>
    public int? AttachmentsOmitted { get; init; }

    /// <summary>Why it is quarantined.</summary>
    public string? Reason { get; init; }

    public string? Error { get; init; }

    /// <summary>What a reprocess did to the message: <c>rewritten</c>, <c>restored</c> or <c>fromQuarantine</c>.</summary>
    public string? Change { get; init; }
}

/// <summary>The event's JSON: camelCase, nulls left out, non-ASCII kept readable (the event is never embedded in HTML).</summary>
[JsonSerializable(typeof(EventData))]
internal sealed partial class EventJson : JsonSerializerContext
{
    public static EventJson Relaxed { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
