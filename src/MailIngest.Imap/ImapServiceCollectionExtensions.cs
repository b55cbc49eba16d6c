using MailIngest.Imap;
using MailIngest.Sources;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class ImapServiceCollectionExtensions
{
    /// <summary>
    /// Adds MailKit's IMAP client as the mail source of the mailboxes whose <c>Protocol</c> is <c>Imap</c>, with the
    /// same sources of OAuth2 tokens as POP3 (AccessTokenFile, Microsoft 365), and IDLE for <c>mailingest run</c>; with
    /// <paramref name="protocolLogPath"/>, every session's conversation is appended to that file (the one POP3 sessions
    /// write), secrets redacted and message contents left out.
    /// </summary>
    public static IServiceCollection AddImapMailboxes(this IServiceCollection services, string? protocolLogPath = null)
    {
        services.AddMailLogin(protocolLogPath);
        services.AddSingleton<ImapMailServer>();
        services.AddSingleton<IMailSource>(provider => provider.GetRequiredService<ImapMailServer>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IMailWatcher, ImapIdleWatcher>();
        return services;
    }
}
