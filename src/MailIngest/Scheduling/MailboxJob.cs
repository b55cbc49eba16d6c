using MailIngest.Configuration;
using MailIngest.Ingestion;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace MailIngest.Host.Scheduling;

/// <summary>One scheduled run of one mailbox. Quartz never runs two of one mailbox at once, also across a cluster.</summary>
[DisallowConcurrentExecution]
internal sealed class MailboxJob(IMailboxRunner runner, IOptions<MailIngestOptions> options, EventRedelivery redelivery, ILogger<MailboxJob> logger) : IJob
{
    public const string MailboxKey = "mailbox";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var mailbox = context.MergedJobDataMap.GetString(MailboxKey)!;
        if (!options.Value.Mailboxes.TryGetValue(mailbox, out var settings))
        {
            // A clustered schedule can outlive a mailbox that this process's configuration no longer has.
            Log.UnknownMailbox(logger, mailbox);
            return;
        }

        Log.RunStarted(logger, mailbox);
        var result = await runner.RunAsync(mailbox, settings, cancellationToken);
        redelivery.Noted(result);
        Log.RunFinished(logger, result.Summary);
    }
}
