using MailIngest.Archive;
using MailIngest.Configuration;
using MailIngest.Decoding;
using MailIngest.Ingestion;
using MailIngest.Ledger;
using MailIngest.Server;
using MailIngest.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>Adds the ingestion loop and the <c>MailIngest</c> settings, validated at start; needs an archive and a mail server.</summary>
    public static IServiceCollection AddMailIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(MailIngestOptions.SectionName);
        services.AddOptions<MailIngestOptions>()
            .Bind(section)
            // Mailboxes again, strictly: otherwise the binder drops a mailbox with a value it cannot convert (a wrong
            // Security name), and the program would run without it.
            .Configure(options => section.GetSection(nameof(MailIngestOptions.Mailboxes))
                .Bind(options.Mailboxes, binder => binder.ErrorOnUnknownConfiguration = true))
            .ValidateOnStart();
        services.AddMailIngestSection<MailIngestOptions>(MailIngestOptions.SectionName);
        services.AddSingleton<IValidateOptions<MailIngestOptions>, MailIngestOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IIngestObserver, NoIngestObserver>();
        services.TryAddSingleton<IRunProgress, NoRunProgress>();
        services.AddSingleton(provider => new MessageDecoder(provider.GetRequiredService<IOptions<MailIngestOptions>>().Value.Decoding));
        services.AddMetrics();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<LedgerStore>();
        services.AddSingleton<MailboxStatusReader>();
        services.AddSingleton<MailboxPlanner>();
        services.AddSingleton<MessageArchiver>();
        // One resilience pipeline (and circuit breaker) per mailbox for the life of the process; see MailboxResilience.
        services.AddSingleton<MailboxResilience>();
        // The ingestor's constructor is internal (its parts are), so the container is told how to make it.
        services.AddSingleton(provider => new MailboxIngestor(
            provider.GetRequiredService<IMailServer>(),
            provider.GetRequiredService<IMailArchive>(),
            provider.GetRequiredService<LedgerStore>(),
            provider.GetRequiredService<MessageArchiver>(),
            provider.GetRequiredService<MailboxResilience>(),
            provider.GetRequiredService<IngestMetrics>(),
            provider.GetRequiredService<IRunProgress>(),
            provider.GetRequiredService<IIngestObserver>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<MailboxIngestor>>()));
        return services;
    }

    private sealed class NoRunProgress : IRunProgress
    {
        public void Planned(string mailbox, int messages, long bytes)
        {
        }

        public void Stored(string mailbox, long bytes)
        {
        }

        public void Finished(string mailbox)
        {
        }
    }

    private sealed class NoIngestObserver : IIngestObserver
    {
        public void OnStep(string mailbox, IngestStep reached)
        {
        }
    }
}
