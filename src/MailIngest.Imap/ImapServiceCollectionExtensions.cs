using MailIngest.Imap;
using MailIngest.Sources;

namespace Microsoft.Extensions.DependencyInjection;

public static class ImapServiceCollectionExtensions
{
    /// <summary>
    /// Adds MailKit's IMAP client as the mail source of the mailboxes whose <c>Protocol</c> is <c>Imap</c>, with the
    /// same sources of OAuth2 tokens as POP3 (AccessTokenFile, Microsoft 365).
    /// </summary>
    public static IServiceCollection AddImapMailboxes(this IServiceCollection services)
    {
        services.AddMailLogin();
        services.AddSingleton<ImapMailServer>();
        services.AddSingleton<IMailSource>(provider => provider.GetRequiredService<ImapMailServer>());
        return services;
    }
}
