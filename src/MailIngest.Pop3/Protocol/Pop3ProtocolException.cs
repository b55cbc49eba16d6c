namespace MailIngest.Pop3.Protocol;

/// <summary>
/// The server broke the protocol (a reply that is neither <c>+OK</c> nor <c>-ERR</c>, a listing out of order, a line
/// too long): the connection cannot be trusted any further. An <see cref="IOException"/>, because like a dropped
/// connection it is worth one more session.
/// </summary>
internal sealed class Pop3ProtocolException(string message) : IOException(message);
