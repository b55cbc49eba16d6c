using System.Diagnostics.CodeAnalysis;
using MailIngest.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace MailIngest.Host.Scheduling;

internal static class SchedulerServiceCollectionExtensions
{
    private const string JobGroup = "mailboxes";

    /// <summary>The job that runs a mailbox, on its schedule or when its IDLE connection reports new mail.</summary>
    public static JobKey JobKey(string mailbox) => new(mailbox, JobGroup);

    /// <summary>
    /// Adds Quartz with one job per mailbox on its cron <c>Schedule</c>: in memory, or clustered on PostgreSQL when
    /// <c>MailIngest:Scheduler:Clustered</c> is set; and the IDLE watch that runs a mailbox with <c>Idle</c> at once. Every
    /// setting comes from the validated options, read when the scheduler is built (after the start-up validation): only
    /// what Quartz must know at registration is taken from the configuration, the mailboxes' names (one job each) and
    /// whether the store is PostgreSQL.
    /// </summary>
    public static void AddMailboxScheduler(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SchedulerOptions.SectionName);
        var services = builder.Services;
        services.AddMailIngestOptions<SchedulerOptions, SchedulerOptionsValidator>(SchedulerOptions.SectionName).Bind(section);
        services.AddOptions<HostOptions>()
            .Configure<IOptions<SchedulerOptions>>((host, scheduler) => host.ShutdownTimeout = scheduler.Value.ShutdownTimeout);
        services.AddOptions<QuartzSchedulerOptions>()
            .Configure<IOptions<SchedulerOptions>>((quartz, scheduler) =>
            {
                quartz.InstanceName = scheduler.Value.SchedulerName;

                // A stop asks running jobs to stop (between messages) and then waits for them, up to ShutdownTimeout.
                quartz.ShutdownJobInterruption = ShutdownJobInterruption.WhenWaitingForJobs;
            });
        services.AddOptions<ThreadPoolOptions>()
            .Configure<IOptions<MailIngestOptions>>((pool, ingest) => pool.MaxConcurrency = ingest.Value.MaxConcurrentMailboxes);

        var mailboxes = builder.Configuration.GetSection($"{MailIngestOptions.SectionName}:{nameof(MailIngestOptions.Mailboxes)}")
            .GetChildren().Select(mailbox => mailbox.Key).ToList();
        services.AddQuartz(quartz =>
        {
            quartz.UseDefaultThreadPool();
            if (section.GetValue<bool>(nameof(SchedulerOptions.Clustered)))
            {
                quartz.UsePersistentStore(store =>
                {
                    UsePostgres(store);
                    store.ProvisionSchema();
                    store.UseClustering(cluster =>
                    {
                        // A dead process's mailboxes are taken over within about CheckinMisfireThreshold.
                        cluster.CheckinInterval = TimeSpan.FromSeconds(5);
                        cluster.CheckinMisfireThreshold = TimeSpan.FromSeconds(20);
                    });
                });
            }

            foreach (var name in mailboxes)
            {
                quartz.ScheduleJob<MailboxJob>(
                    (provider, trigger) => trigger
                        .WithIdentity(name, JobGroup)
                        // After downtime a missed tick runs once, then the schedule goes on: no burst of catch-up runs.
                        .WithCronSchedule(
                            provider.GetRequiredService<IOptions<MailIngestOptions>>().Value.Mailboxes[name].Schedule,
                            cron => cron.WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)),
                    (_, job) => job.WithIdentity(JobKey(name)).UsingJobData(MailboxJob.MailboxKey, name));
            }
        });
        services.AddQuartzHostedService(hosted => hosted.WaitForJobsToComplete = true);

        // After the scheduler's own hosted service, so that a run asked for at once finds the scheduler started.
        services.AddHostedService<MailboxWatchService>();

        // Events a run could not deliver are tried again between runs (docs/events.md).
        services.AddSingleton<EventRedelivery>();
        services.AddHostedService(provider => provider.GetRequiredService<EventRedelivery>());
    }

    /// <summary>The schedule in PostgreSQL, through a data source Npgsql makes from the configured connection string.</summary>
    /// <remarks>The validator has refused a missing connection string (or an unreadable file) before this runs.</remarks>
    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2026",
        Justification = "Quartz finds Npgsql's connection, command and parameter types by name; the compiled program keeps " +
            "Npgsql whole (TrimmerRootAssembly, src/MailIngest/Program.props). Tested on the compiled program: " +
            "IntegrationTests' ClusterTests.")]
    private static void UsePostgres(IPersistentStoreBuilder store) =>
        store.UsePostgres(source => source.DataSourceFactory = provider =>
            NpgsqlDataSource.Create(provider.GetRequiredService<IOptions<SchedulerOptions>>().Value.ReadConnectionString()));
}
