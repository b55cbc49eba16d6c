using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace MailIngest.Storage.Azure;

/// <summary>Makes the container client from the settings: the credential, and the SDK's timeout and retries (the only retry layer for blob calls).</summary>
internal static class AzureBlobClients
{
    /// <summary>Exponential backoff never waits longer than this between two tries.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>The SDK's timeout and retries as the settings say.</summary>
    public static BlobClientOptions ClientOptions(StorageOptions options)
    {
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = MaxRetryDelay;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        return clientOptions;
    }

    /// <param name="options">The settings.</param>
    /// <param name="clientOptions">The client's options when not <see cref="ClientOptions"/> of the settings (a test adds a fault to them).</param>
    public static BlobContainerClient CreateContainerClient(StorageOptions options, BlobClientOptions? clientOptions = null)
    {
        clientOptions ??= ClientOptions(options);
        var connectionString = options.ReadConnectionString();
        var service = string.IsNullOrWhiteSpace(connectionString)
            // Workload identity in Kubernetes, managed identity, or AZURE_* environment variables, in DefaultAzureCredential's order.
            ? new BlobServiceClient(new Uri(options.ServiceUri), new DefaultAzureCredential(), clientOptions)
            : new BlobServiceClient(connectionString, clientOptions);
        return service.GetBlobContainerClient(options.Container);
    }
}
