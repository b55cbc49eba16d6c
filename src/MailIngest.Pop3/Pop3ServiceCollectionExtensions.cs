using MailIngest.Pop3;
using MailIngest.Sources;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class Pop3ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the streaming POP3 client as the mail server every mailbox is read from, with the sources of OAuth2 tokens
    /// (AccessTokenFile, Microsoft 365); with <paramref name="protocolLogPath"/>, every session's conversation is appended
    /// to that file, secrets redacted and message contents left out.
    /// </summary>
    public static IServiceCollection AddPop3Mailboxes(this IServiceCollection services, string? protocolLogPath = null)
    {
        services.AddMailLogin(protocolLogPath);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMailSource, Pop3MailServer>());
        return services;
    }
}
