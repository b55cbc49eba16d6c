using MailIngest.Archive;
using MailIngest.Storage;
using MailIngest.Storage.FileSystem;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Adds the archive store chosen by <c>MailIngest:Storage:Provider</c>, with its settings validated at start.</summary>
    public static IServiceCollection AddMailArchive(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<IMailArchive>(provider =>
            new FileSystemMailArchive(provider.GetRequiredService<IOptions<StorageOptions>>().Value.Path));
        return services;
    }
}
