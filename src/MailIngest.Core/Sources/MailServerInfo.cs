namespace MailIngest.Sources;

/// <summary>What a server told about itself in one session, for <c>mailingest check</c>.</summary>
/// <param name="Endpoint">host:port.</param>
/// <param name="Greeting">The implementation string the server announced (CAPA IMPLEMENTATION), if any.</param>
/// <param name="Encrypted">Whether the session runs over TLS.</param>
/// <param name="Capabilities">The capabilities the server announced (POP3 CAPA or IMAP CAPABILITY after login), or the POP3 client found by probing (UIDL, APOP).</param>
/// <param name="SaslMechanisms">The SASL mechanisms offered.</param>
/// <param name="Expire">RFC 2449 EXPIRE: days the server keeps retrieved mail; null when not announced, 0 when retrieval deletes.</param>
/// <param name="MessageCount">Messages in the mailbox (POP3 STAT; IMAP the folders' STATUS together).</param>
/// <param name="MailboxSize">Octets in the mailbox (POP3 STAT; 0 for IMAP, which would have to fetch every size).</param>
public sealed record MailServerInfo(
    string Endpoint,
    string? Greeting,
    bool Encrypted,
    IReadOnlyList<string> Capabilities,
    IReadOnlyList<string> SaslMechanisms,
    int? Expire,
    int MessageCount,
    long MailboxSize)
{
    /// <summary>IMAP: each ingested folder as STATUS gave it at login; null for POP3.</summary>
    public IReadOnlyList<FolderInfo>? Folders { get; init; }
}

/// <summary>One IMAP folder as STATUS gave it, for <c>mailingest check</c>.</summary>
/// <param name="Name">The folder's full name.</param>
/// <param name="UidValidity">Its UIDVALIDITY.</param>
/// <param name="UidNext">Its UIDNEXT, when the server gave one.</param>
/// <param name="Messages">How many messages it holds.</param>
public sealed record FolderInfo(string Name, uint UidValidity, uint? UidNext, int Messages);
