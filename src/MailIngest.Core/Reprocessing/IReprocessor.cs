namespace MailIngest.Reprocessing;

/// <summary>
/// <c>mailingest reprocess</c>: decodes again, with the current decoder and limits, what a mailbox has stored, or drains
/// its quarantine; never connects to a mail server (docs/reprocess.md).
/// </summary>
public interface IReprocessor
{
    /// <summary>
    /// Takes the mailbox's lock, then rewrites each selected message whose decoding now gives other objects or another
    /// manifest, or whose folder lacks an object its manifest names; with <see cref="ReprocessRequest.Quarantine"/>, moves
    /// each quarantined message that now decodes into <c>messages/</c>. A message's raw bytes are never rewritten.
    /// </summary>
    /// <param name="mailbox">The mailbox's configured name.</param>
    /// <param name="request">Which messages, and whether to write.</param>
    /// <param name="cancellationToken">Stops the pass between writes; what is written stays consistent, and a later pass goes on.</param>
    Task<ReprocessResult> ReprocessAsync(string mailbox, ReprocessRequest request, CancellationToken cancellationToken);
}

/// <summary>Which of a mailbox's messages a reprocess takes, and whether it writes.</summary>
public sealed record ReprocessRequest
{
    /// <summary>Only stored messages whose date folder (<c>yyyy/MM/dd</c>, the message's date in UTC) is this day or later.</summary>
    public DateOnly? Since { get; init; }

    /// <summary>Only stored messages whose date folder is this day or earlier.</summary>
    public DateOnly? Until { get; init; }

    /// <summary>Only the messages with these keys (the name of the message's folder); empty: all.</summary>
    public IReadOnlySet<string> Keys { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The quarantine (messages kept with their raw bytes because they did not decode) instead of the stored messages.</summary>
    public bool Quarantine { get; init; }

    /// <summary>Read and decode, say what would change, write nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Whether dates select: then messages without a date folder (<c>undated/</c>) are not taken.</summary>
    internal bool ByDate => Since is not null || Until is not null;
}

/// <summary>
/// Told of each message a reprocess changed, once the change is complete: its new manifest in place, the objects it no
/// longer names deleted, and for a message taken from quarantine its ledger entry <c>stored</c> and its quarantine
/// folder gone. Where the <c>mailingest.message.reprocessed</c> event is raised. A dry run tells nothing.
/// </summary>
/// <remarks>A failure here fails the mailbox's pass; the message stays changed, and a later pass finds it unchanged.</remarks>
public interface IReprocessedMessageSink
{
    Task ReprocessedAsync(ReprocessedMessage message, CancellationToken cancellationToken);
}

/// <summary>A message a reprocess changed.</summary>
/// <param name="Mailbox">The mailbox it belongs to.</param>
/// <param name="Uidl">Its ID on the server.</param>
/// <param name="Key">Its key: the name of its folder.</param>
/// <param name="Folder">Its message folder, whose <c>manifest.json</c> is the new manifest.</param>
/// <param name="Change">What the reprocess did to it.</param>
/// <param name="ReprocessedAt">The new manifest's <c>reprocessedAt</c>.</param>
public sealed record ReprocessedMessage(string Mailbox, string Uidl, string Key, string Folder, ReprocessChange Change, DateTimeOffset ReprocessedAt)
{
    /// <summary>Its Message-ID header, when it has one.</summary>
    public string? MessageId { get; init; }

    /// <summary>The objects written, relative to <see cref="Folder"/> (<c>message.eml</c> only for a message from quarantine); the manifest not counted.</summary>
    public IReadOnlyList<string> Written { get; init; } = [];

    /// <summary>The objects deleted because the new manifest no longer names them, relative to <see cref="Folder"/>.</summary>
    public IReadOnlyList<string> Deleted { get; init; } = [];
}

/// <summary>What a reprocess did to a message.</summary>
public enum ReprocessChange
{
    /// <summary>Decoding gave other objects or another manifest than stored: they replaced the old ones.</summary>
    Rewritten,

    /// <summary>Decoding gave what the manifest says, but objects it names were missing from the folder: they were written again.</summary>
    Restored,

    /// <summary>A quarantined message now decoded: it moved into <c>messages/</c>.</summary>
    FromQuarantine,
}
