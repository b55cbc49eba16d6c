using MailIngest.Archive;
using MailIngest.Configuration;
using MailIngest.Decoding;
using MailIngest.Events;
using MailIngest.Ingestion;
using MailIngest.Ledger;
using MailIngest.Reprocessing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>
    /// Adds the ingestion loop, <c>mailingest reprocess</c>, and the <c>MailIngest</c> settings, validated at start; needs an
    /// archive and a mail source. An <see cref="IReprocessedMessageSink"/> added beside hears of each message a reprocess changes.
    /// </summary>
    public static IServiceCollection AddMailIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(MailIngestOptions.SectionName);
        services.AddMailIngestOptions<MailIngestOptions, MailIngestOptionsValidator>(MailIngestOptions.SectionName)
            .Bind(section)
            // Mailboxes again, strictly: otherwise the binder drops a mailbox with a value it cannot convert (a wrong
            // Security name), and the program would run without it. Afresh, because binding adds to a list (Folders).
            .Configure(options =>
            {
                options.Mailboxes.Clear();
                section.GetSection(nameof(MailIngestOptions.Mailboxes)).Bind(options.Mailboxes, binder => binder.ErrorOnUnknownConfiguration = true);
            });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IIngestObserver, NoIngestObserver>();
        services.TryAddSingleton<IProgressSink, NoProgressSink>();
        services.TryAddSingleton<IMessageEvents>(NoMessageEvents.Instance);
        services.TryAddSingleton(provider => new MessageDecoder(provider.GetRequiredService<IOptions<MailIngestOptions>>().Value.Decoding));
        services.AddMetrics();
        services.TryAddSingleton<IngestMetrics>();
        services.TryAddSingleton<LedgerStore>();
        services.TryAddSingleton<MessageArchiver>();
        services.TryAddSingleton(provider => new RunServices(
            provider.GetRequiredService<IMailArchive>(),
            provider.GetRequiredService<LedgerStore>(),
            provider.GetRequiredService<MessageArchiver>(),
            provider.GetRequiredService<IIngestObserver>(),
            provider.GetRequiredService<IProgressSink>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("MailIngest.Ingestion"))
        {
            Events = provider.GetRequiredService<IMessageEvents>(),
        });
        // One resilience pipeline (and circuit breaker) per mailbox for the life of the process; see MailboxResilience.
        services.TryAddSingleton<MailboxResilience>();
        services.TryAddSingleton<IMailboxRunner, MailboxRunner>();
        services.TryAddSingleton<IMailboxStatusReader, MailboxStatusReader>();
        services.TryAddSingleton(provider => new ReprocessServices(
            provider.GetRequiredService<IMailArchive>(),
            provider.GetRequiredService<LedgerStore>(),
            provider.GetRequiredService<MessageDecoder>(),
            provider.GetRequiredService<IIngestObserver>(),
            provider.GetRequiredService<IProgressSink>(),
            [.. provider.GetServices<IReprocessedMessageSink>()],
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<Reprocessor>>())
        {
            Events = provider.GetRequiredService<IMessageEvents>(),
        });
        services.TryAddSingleton<IReprocessor, Reprocessor>();
        services.TryAddSingleton<IEventOutbox, EventOutbox>();
        return services;
    }

    private sealed class NoProgressSink : IProgressSink
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
        public void OnStep(string mailbox, IngestStep reached, string? messageId)
        {
        }
    }
}
