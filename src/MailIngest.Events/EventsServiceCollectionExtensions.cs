using MailIngest.Archive;
using MailIngest.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class EventsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the event sink chosen by <c>MailIngest:Events:Sink</c> behind the core's event port, with its settings
    /// validated at start; with <c>None</c> (the default) no event is made (docs/events.md). Needs an archive.
    /// </summary>
    public static IServiceCollection AddMailEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMailIngestOptions<EventsOptions, EventsOptionsValidator>(EventsOptions.SectionName)
            .Bind(configuration.GetSection(EventsOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IMessageEvents>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<EventsOptions>>().Value;
            var time = provider.GetRequiredService<TimeProvider>();
            IEventSink? sink = options.Sink switch
            {
                EventSink.AzureQueue => new AzureQueueSink(options),
                EventSink.Webhook => new WebhookSink(options, time),
                _ => null,
            };
            return sink is null
                ? NoMessageEvents.Instance
                : new MessageEvents(
                    provider.GetRequiredService<IMailArchive>(),
                    sink,
                    options,
                    provider.GetRequiredService<IIngestObserver>(),
                    time,
                    provider.GetRequiredService<ILogger<MessageEvents>>());
        });
        return services;
    }
}
