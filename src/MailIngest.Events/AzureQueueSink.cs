using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Queues;

namespace MailIngest.Events;

/// <summary>
/// Sends each event to one Azure Storage queue as a message whose text is the event's structured JSON, plain UTF-8 (the
/// SDK's default <c>QueueMessageEncoding.None</c>; not base64, which would push a 64 KiB event over the queue's limit),
/// never expiring (docs/events.md). Every failure is tried again later: the queue service refuses nothing for good that
/// a later try, or a fixed setting, would not fix.
/// </summary>
internal sealed class AzureQueueSink : IEventSink
{
    /// <summary>A message that never expires: an event waits in the queue until its consumer takes it.</summary>
    private static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    private readonly QueueClient _queue;
    private bool _queueExists;

    public AzureQueueSink(EventsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        // One quick retry inside a delivery; the delivery's own timeout bounds both tries, and later runs try again.
        clientOptions.Retry.Mode = RetryMode.Fixed;
        clientOptions.Retry.MaxRetries = 1;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.NetworkTimeout = options.DeliveryTimeout;
        var connectionString = options.ReadConnectionString();
        _queue = string.IsNullOrWhiteSpace(connectionString)
            // Workload identity in Kubernetes, managed identity, or AZURE_* environment variables, in DefaultAzureCredential's order.
            ? new QueueClient(new Uri($"{options.ServiceUri.TrimEnd('/')}/{options.QueueName}"), new DefaultAzureCredential(), clientOptions)
            : new QueueClient(connectionString, options.QueueName, clientOptions);
    }

    public async Task<SendResult> SendAsync(string id, string body, CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                await _queue.SendMessageAsync(body, visibilityTimeout: null, timeToLive: NeverExpires, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 404 && !_queueExists)
            {
                // The first event into a new queue: create it, once, and send again.
                await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                await _queue.SendMessageAsync(body, visibilityTimeout: null, timeToLive: NeverExpires, cancellationToken);
            }

            _queueExists = true;
            return SendResult.Delivered;
        }
        catch (RequestFailedException e)
        {
            return SendResult.Failed($"the queue {_queue.Uri.GetLeftPart(UriPartial.Path)} refused the event: {e.Status} {e.ErrorCode}");
        }
        catch (AuthenticationFailedException e)
        {
            return SendResult.Failed($"no Azure identity to send to {_queue.Uri.GetLeftPart(UriPartial.Path)}: {e.Message}");
        }
    }
}
