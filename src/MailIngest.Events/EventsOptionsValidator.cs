using System.Net;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using MailIngest.Configuration;
using Microsoft.Extensions.Options;

namespace MailIngest.Events;

/// <summary>Checks the events settings at start, naming the key and the fix.</summary>
internal sealed partial class EventsOptionsValidator : IValidateOptions<EventsOptions>
{
    private const string Section = EventsOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, EventsOptions options)
    {
        var failures = options.Sink switch
        {
            EventSink.None => [],
            EventSink.AzureQueue => ValidateQueue(options),
            EventSink.Webhook => ValidateWebhook(options),
            _ => [$"{Section}:Sink must be None, AzureQueue or Webhook, was {options.Sink}."],
        };
        if (options.DeliveryTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:DeliveryTimeout must be positive, e.g. 00:00:15, was {options.DeliveryTimeout}.");
        }

        if (options.DeliveryBudget < options.DeliveryTimeout)
        {
            failures.Add($"{Section}:DeliveryBudget ({options.DeliveryBudget}) must be at least DeliveryTimeout ({options.DeliveryTimeout}), so that one delivery fits in it.");
        }

        if (options.RedeliveryInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{Section}:RedeliveryInterval must be at least 00:00:01, e.g. 00:01:00, was {options.RedeliveryInterval}.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    private static List<string> ValidateQueue(EventsOptions options)
    {
        var failures = new List<string>();
        var settings = new AzureAccountSettings(Section, options.ConnectionString, options.ConnectionStringFile, options.ServiceUri);
        if (settings.Problem("queue", "the AzureQueue sink", IsConnectionString) is { } account)
        {
            failures.Add(account);
        }

        if (!QueueName().IsMatch(options.QueueName))
        {
            failures.Add($"{Section}:QueueName must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit, was '{options.QueueName}'.");
        }

        return failures;
    }

    private static List<string> ValidateWebhook(EventsOptions options)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{Section}:Url must be the absolute https URL events are POSTed to, was '{options.Url}'.");
        }
        else if (url.Scheme == Uri.UriSchemeHttp && !IsLoopback(url))
        {
            // An event names senders and subjects: it crosses a network only encrypted.
            failures.Add($"{Section}:Url must be https: events name senders and subjects, so plain http is allowed only to a loopback address (localhost, 127.0.0.1, ::1); was '{options.Url}'.");
        }

        if (string.IsNullOrWhiteSpace(options.SecretFile))
        {
            failures.Add($"{Section}:SecretFile is required for the Webhook sink: set it to a file holding the signing secret (whsec_ and base64 of 24 to 64 random bytes, e.g. from: echo whsec_$(head -c 32 /dev/urandom | base64)).");
        }
        else if (SecretFile.Problem(options.SecretFile) is { } problem)
        {
            failures.Add($"{Section}:SecretFile: {problem}; set it to a readable file holding the signing secret (e.g. a mounted Kubernetes Secret).");
        }
        else
        {
            try
            {
                _ = WebhookSignature.Key(SecretFile.Read(options.SecretFile));
            }
            catch (FormatException e)
            {
                failures.Add($"{Section}:SecretFile '{options.SecretFile}': {e.Message}; write whsec_ and base64 of 24 to 64 random bytes into it, e.g. echo whsec_$(head -c 32 /dev/urandom | base64).");
            }
        }

        return failures;
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static bool IsConnectionString(string connectionString)
    {
        try
        {
            _ = new QueueClient(connectionString, "probe");
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <remarks>Azure's queue naming rules: no consecutive hyphens, no leading or trailing one.</remarks>
    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex QueueName();
}
