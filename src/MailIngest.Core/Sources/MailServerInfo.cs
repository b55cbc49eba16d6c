namespace MailIngest.Sources;

/// <summary>What a server told about itself in one session, for <c>mailingest check</c>.</summary>
/// <param name="Endpoint">host:port.</param>
/// <param name="Greeting">The implementation string the server announced (CAPA IMPLEMENTATION), if any.</param>
/// <param name="Encrypted">Whether the session runs over TLS.</param>
/// <param name="Capabilities">The capabilities the server announced (CAPA after login), or the client found by probing (UIDL, APOP).</param>
/// <param name="SaslMechanisms">The SASL mechanisms offered.</param>
/// <param name="Expire">RFC 2449 EXPIRE: days the server keeps retrieved mail; null when not announced, 0 when retrieval deletes.</param>
/// <param name="MessageCount">Messages in the mailbox (STAT).</param>
/// <param name="MailboxSize">Octets in the mailbox (STAT).</param>
public sealed record MailServerInfo(
    string Endpoint,
    string? Greeting,
    bool Encrypted,
    IReadOnlyList<string> Capabilities,
    IReadOnlyList<string> SaslMechanisms,
    int? Expire,
    int MessageCount,
    long MailboxSize);
