using MailIngest.Login;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

internal static class LoginServiceCollectionExtensions
{
    /// <summary>
    /// The sources of OAuth2 tokens (AccessTokenFile, Microsoft 365), once however many protocols use them: the
    /// Microsoft 365 source keeps each mailbox's credential, and with it MSAL's token cache, for the life of the process.
    /// With <paramref name="protocolLogPath"/>, the one protocol log that POP3 and IMAP sessions append to.
    /// </summary>
    public static IServiceCollection AddMailLogin(this IServiceCollection services, string? protocolLogPath)
    {
        if (protocolLogPath is not null)
        {
            services.TryAddSingleton(_ => new ProtocolLog(protocolLogPath));
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAccessTokenSource, AccessTokenFileSource>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAccessTokenSource, Microsoft365TokenSource>());
        return services;
    }
}
