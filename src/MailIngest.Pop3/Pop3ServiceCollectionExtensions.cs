using MailIngest.Pop3;
using MailIngest.Server;

namespace Microsoft.Extensions.DependencyInjection;

public static class Pop3ServiceCollectionExtensions
{
    /// <summary>Adds the MailKit POP3 client as the mail server every mailbox is read from.</summary>
    public static IServiceCollection AddPop3Mailboxes(this IServiceCollection services)
    {
        services.AddSingleton<IMailServer, Pop3MailServer>();
        return services;
    }
}
