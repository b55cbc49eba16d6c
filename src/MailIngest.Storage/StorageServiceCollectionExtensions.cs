using MailIngest.Archive;
using MailIngest.Storage;
using MailIngest.Storage.Azure;
using MailIngest.Storage.FileSystem;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Adds the archive store chosen by <c>MailIngest:Storage:Provider</c>, with its settings validated at start.</summary>
    public static IServiceCollection AddMailArchive(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMailIngestOptions<StorageOptions, StorageOptionsValidator>(StorageOptions.SectionName)
            .Bind(configuration.GetSection(StorageOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IMailArchive>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.Provider == StorageProvider.AzureBlob
                ? new AzureBlobMailArchive(
                    AzureBlobClients.CreateContainerClient(options),
                    options,
                    provider.GetRequiredService<TimeProvider>(),
                    provider.GetRequiredService<ILogger<AzureBlobMailArchive>>())
                : new FileSystemMailArchive(options.Path, provider.GetRequiredService<TimeProvider>(), ArchiveModes.From(options));
        });
        return services;
    }
}
