namespace MailIngest.Events;

/// <summary>The <c>MailIngest:Events</c> section: where the event about each stored or quarantined message goes (docs/events.md).</summary>
public sealed class EventsOptions
{
    public const string SectionName = "MailIngest:Events";

    /// <summary>Where events go: <c>None</c> (the default: no events), <c>AzureQueue</c> or <c>Webhook</c>.</summary>
    public EventSink Sink { get; set; } = EventSink.None;

    /// <summary>AzureQueue: a connection string of the storage account (also <c>UseDevelopmentStorage=true</c>, or one with a SAS).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>AzureQueue: a file holding the connection string instead (a mounted Kubernetes Secret), read at start.</summary>
    public string ConnectionStringFile { get; set; } = "";

    /// <summary>AzureQueue: the account's queue endpoint, used with Azure identity when there is no connection string.</summary>
    public string ServiceUri { get; set; } = "";

    /// <summary>AzureQueue: the queue the events go to; created on the first delivery if it does not exist.</summary>
    public string QueueName { get; set; } = "mailingest-events";

    /// <summary>Webhook: the URL events are POSTed to; https, or http to a loopback address only.</summary>
    public string Url { get; set; } = "";

    /// <summary>Webhook: a file holding the signing secret, <c>whsec_</c> and base64 of 24 to 64 random bytes (Standard Webhooks); read at every delivery.</summary>
    public string SecretFile { get; set; } = "";

    /// <summary>How long one event's delivery may take before it counts as failed and is tried again later.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one run (or one redelivery) spends delivering at most; the rest waits for the next one.</summary>
    public TimeSpan DeliveryBudget { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary><c>mailingest run</c>: how often events a delivery left pending are tried again between scheduled runs.</summary>
    public TimeSpan RedeliveryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The connection string: from <see cref="ConnectionStringFile"/> when set (one trailing newline trimmed), else <see cref="ConnectionString"/>.</summary>
    internal string ReadConnectionString() =>
        string.IsNullOrWhiteSpace(ConnectionStringFile) ? ConnectionString : Configuration.SecretFile.Read(ConnectionStringFile);
}

/// <summary>Where events go.</summary>
public enum EventSink
{
    /// <summary>Nowhere: no event is made.</summary>
    None,

    /// <summary>One Azure Storage queue; a message is the event as CloudEvents structured JSON.</summary>
    AzureQueue,

    /// <summary>An HTTP POST of the event as CloudEvents structured JSON, signed as Standard Webhooks sign.</summary>
    Webhook,
}
