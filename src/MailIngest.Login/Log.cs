using Microsoft.Extensions.Logging;

namespace MailIngest.Login;

/// <summary>Every log line of the login pieces the POP3 and IMAP adapters share, by source generator; never a secret.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 204, Level = LogLevel.Debug, Message = "{Mailbox}: OAuth2 token from Microsoft Entra ID (tenant {TenantId}, client ID {ClientId}) valid until {ExpiresOn}")]
    public static partial void TokenReady(ILogger logger, string mailbox, string tenantId, string clientId, DateTimeOffset expiresOn);
}
