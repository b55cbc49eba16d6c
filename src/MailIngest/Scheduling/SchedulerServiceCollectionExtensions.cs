using MailIngest.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;

namespace MailIngest.Host.Scheduling;

internal static class SchedulerServiceCollectionExtensions
{
    private const string JobGroup = "mailboxes";

    /// <summary>
    /// Adds Quartz with one job per mailbox on its cron <c>Schedule</c>: in memory, or clustered on PostgreSQL when
    /// <c>MailIngest:Scheduler:Clustered</c> is set.
    /// </summary>
    public static void AddMailboxScheduler(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SchedulerOptions.SectionName);
        builder.Services.AddOptions<SchedulerOptions>()
            .Bind(section)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidator>();

        // Quartz takes its jobs at registration, before options exist: read the same sections directly.
        var scheduler = section.Get<SchedulerOptions>() ?? new SchedulerOptions();
        var mailboxes = builder.Configuration.GetSection($"{MailIngestOptions.SectionName}:Mailboxes").GetChildren()
            .Select(mailbox => (Name: mailbox.Key, Schedule: mailbox[nameof(MailboxOptions.Schedule)] ?? new MailboxOptions().Schedule))
            .Where(mailbox => CronSchedule.Problem(mailbox.Schedule) is null) // the validator reports the others at start
            .ToList();

        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = scheduler.ShutdownTimeout);
        var concurrentMailboxes = builder.Configuration.GetValue($"{MailIngestOptions.SectionName}:{nameof(MailIngestOptions.MaxConcurrentMailboxes)}", new MailIngestOptions().MaxConcurrentMailboxes);
        builder.Services.AddQuartz(quartz =>
        {
            // At least one thread: a value below 1 is refused at start by the options validator, naming the setting.
            quartz.UseDefaultThreadPool(Math.Max(concurrentMailboxes, 1));
            quartz.ConfigureScheduler(options =>
            {
                options.InstanceName = scheduler.SchedulerName;

                // A stop asks running jobs to stop (between messages) and then waits for them, up to ShutdownTimeout.
                options.ShutdownJobInterruption = ShutdownJobInterruption.WhenWaitingForJobs;
            });
            // Without a connection string the validator stops the program at start, naming the setting.
            if (scheduler.Clustered && scheduler.ReadConnectionString() is { Length: > 0 } connectionString)
            {
                quartz.UsePersistentStore(store =>
                {
                    store.UsePostgres(connectionString);
                    store.ProvisionSchema();
                    store.UseClustering(cluster =>
                    {
                        // A dead process's mailboxes are taken over within about CheckinMisfireThreshold.
                        cluster.CheckinInterval = TimeSpan.FromSeconds(5);
                        cluster.CheckinMisfireThreshold = TimeSpan.FromSeconds(20);
                    });
                });
            }

            foreach (var (name, schedule) in mailboxes)
            {
                var job = new JobKey(name, JobGroup);
                quartz.AddJob<MailboxJob>(j => j.WithIdentity(job).UsingJobData(MailboxJob.MailboxKey, name));
                quartz.AddTrigger<MailboxJob>(trigger => trigger
                    .ForJob(job)
                    .WithIdentity(name, JobGroup)
                    // After downtime a missed tick runs once, then the schedule goes on: no burst of catch-up runs.
                    .WithCronSchedule(schedule, cron => cron.WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
            }
        });
        builder.Services.AddQuartzHostedService(hosted => hosted.WaitForJobsToComplete = true);

        // Events a run could not deliver are tried again between runs (docs/events.md).
        builder.Services.AddSingleton<EventRedelivery>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<EventRedelivery>());
    }
}
