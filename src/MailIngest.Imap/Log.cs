using Microsoft.Extensions.Logging;

namespace MailIngest.Imap;

/// <summary>Every log line the IMAP adapter writes, by source generator; never a password.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Debug, Message = "{Mailbox}: connected to {Endpoint}; capabilities {Capabilities}; SASL {Mechanisms}")]
    public static partial void Connected(ILogger logger, string mailbox, string endpoint, MailKit.Net.Imap.ImapCapabilities capabilities, IEnumerable<string> mechanisms);

    [LoggerMessage(EventId = 701, Level = LogLevel.Debug, Message = "{Mailbox}: logging in with {Mechanism}")]
    public static partial void Authenticating(ILogger logger, string mailbox, string mechanism);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "{Mailbox}: Security is None, so the password and all mail cross the network to {Endpoint} unencrypted")]
    public static partial void PlaintextToRemoteHost(ILogger logger, string mailbox, string endpoint);
}
