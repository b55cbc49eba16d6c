using MailIngest.Configuration;
using MailIngest.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace MailIngest.Host.Scheduling;

/// <summary>
/// <c>mailingest run</c>'s watch over the mailboxes with <c>Idle</c> (docs/imap.md, "IDLE"): when a watcher reports new
/// mail, the mailbox's Quartz job is triggered now, besides its schedule. The job is the same one the schedule runs, so
/// <c>[DisallowConcurrentExecution]</c> and the mailbox lock keep the two from overlapping.
/// </summary>
internal sealed class MailboxWatchService(
    IEnumerable<IMailWatcher> watchers, IOptions<MailIngestOptions> options, ISchedulerFactory schedulers, ILogger<MailboxWatchService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(options.Value.Mailboxes
            .Where(mailbox => mailbox.Value.Idle)
            .Select(mailbox => (Name: mailbox.Key, Settings: mailbox.Value, Watcher: watchers.FirstOrDefault(w => w.Serves(mailbox.Value))))
            .Where(mailbox => mailbox.Watcher is not null)
            .Select(mailbox => mailbox.Watcher!.WatchAsync(mailbox.Name, mailbox.Settings, ct => RunNowAsync(mailbox.Name, ct), stoppingToken)));

    private async Task RunNowAsync(string mailbox, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.TriggerJob(SchedulerServiceCollectionExtensions.JobKey(mailbox), cancellationToken);
        Log.RunTriggered(logger, mailbox);
    }
}
