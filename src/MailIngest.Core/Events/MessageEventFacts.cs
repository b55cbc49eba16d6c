using System.Globalization;

namespace MailIngest.Events;

/// <summary>
/// What an event says of one message: a summary of its manifest (or quarantine record) and where it lies in the
/// archive, never its content.
/// </summary>
/// <param name="Type">Stored, quarantined or reprocessed.</param>
/// <param name="Mailbox">The mailbox's configured name.</param>
/// <param name="Key">The message's key in the archive.</param>
/// <param name="Uidl">The message's ID on its server.</param>
/// <param name="Record">The archive path of its manifest, or of its quarantine record: the event's subject.</param>
/// <param name="Raw">The archive path of its raw bytes, or null when it was recorded without them.</param>
/// <param name="Time">When it was stored, quarantined or reprocessed.</param>
public sealed record MessageEventFacts(
    MessageEventType Type, string Mailbox, string Key, string Uidl, string Record, string? Raw, DateTimeOffset Time)
{
    /// <summary>
    /// The event's ID, which consumers drop duplicates by: the message key for a message stored; with
    /// <c>-quarantined</c> for a quarantine (a key never ends so), so that a message quarantined first and stored later
    /// (after <c>mailingest retry</c>) has two events, not one dropped as a duplicate; with <c>-reprocessed-</c> and the
    /// time of the change for a reprocess, which may change a message more than once.
    /// </summary>
    public string Id => Type switch
    {
        MessageEventType.Stored => Key,
        MessageEventType.Quarantined => Key + "-quarantined",
        _ => string.Create(CultureInfo.InvariantCulture, $"{Key}-reprocessed-{Time.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}"),
    };

    public string? MessageId { get; init; }

    public string? Subject { get; init; }

    public IReadOnlyList<string> From { get; init; } = [];

    public IReadOnlyList<string> To { get; init; } = [];

    public IReadOnlyList<string> Cc { get; init; } = [];

    /// <summary>The message's Date header.</summary>
    public DateTimeOffset? Date { get; init; }

    /// <summary>The raw message's size in bytes; for a message recorded without its bytes, the server's listed size.</summary>
    public long? Size { get; init; }

    public IReadOnlyList<EventAttachment> Attachments { get; init; } = [];

    /// <summary>Why it is quarantined: <c>undecodable</c>, <c>tooLarge</c> or <c>unprocessable</c>.</summary>
    public string? Reason { get; init; }

    /// <summary>The quarantine record's error.</summary>
    public string? Error { get; init; }

    /// <summary>What a reprocess did to the message: <c>rewritten</c>, <c>restored</c> or <c>fromQuarantine</c>.</summary>
    public string? Change { get; init; }
}

/// <summary>An attachment as the event names it.</summary>
/// <param name="FileName">Its file name as the message gives it.</param>
/// <param name="Size">Its decoded size in bytes.</param>
/// <param name="ContentType">Its MIME type.</param>
/// <param name="Path">Where it is stored, relative to the message folder (as in the manifest).</param>
public sealed record EventAttachment(string FileName, long Size, string ContentType, string Path);
