using Microsoft.Extensions.Logging;

namespace MailIngest.Pop3;

/// <summary>Every log line the POP3 adapter writes, by source generator; never a password.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "{Mailbox}: connected to {Endpoint}; capabilities {Capabilities}; SASL {Mechanisms}")]
    public static partial void Connected(ILogger logger, string mailbox, string endpoint, IReadOnlyList<string> capabilities, IReadOnlyList<string> mechanisms);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "{Mailbox}: logging in with {Mechanism}")]
    public static partial void Authenticating(ILogger logger, string mailbox, string mechanism);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "{Mailbox}: {Endpoint} announces LOGIN-DELAY {LoginDelay}")]
    public static partial void LoginDelayAnnounced(ILogger logger, string mailbox, string endpoint, TimeSpan loginDelay);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "{Mailbox}: Security is None, so the password and all mail cross the network to {Endpoint} unencrypted")]
    public static partial void PlaintextToRemoteHost(ILogger logger, string mailbox, string endpoint);
}
