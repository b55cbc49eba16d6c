using MailIngest.Configuration;
using MailIngest.Host.Hosting;
using MailIngest.Host.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;

namespace MailIngest.Tests.Scheduling;

/// <summary>The scheduler of <c>mailingest run</c> is built from the validated options: one job per mailbox on its schedule.</summary>
public sealed class MailboxSchedulerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailingest-scheduler-" + Guid.NewGuid().ToString("N"));

    public MailboxSchedulerTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task AddMailboxScheduler_Configuration_SchedulesEachMailboxWithTheSettingsOfTheValidatedOptions()
    {
        // A name of its own: Quartz keeps schedulers by name, and other tests may build one at the same time.
        var name = "test-" + Guid.NewGuid().ToString("N");
        var config = Path.Combine(_folder, "settings.json");
        await File.WriteAllTextAsync(config, $$"""
            { "MailIngest": { "Storage": { "Path": "./data" }, "MaxConcurrentMailboxes": 3,
              "Scheduler": { "SchedulerName": "{{name}}", "ShutdownTimeout": "00:00:07" },
              "Mailboxes": {
                "support": { "Host": "h", "Username": "u", "Security": "None", "Schedule": "0 0/2 * * * ?" },
                "sales": { "Host": "h", "Username": "u", "Security": "None" } } } }
            """);

        Assert.True(MailIngestApp.TryStart(new AppSettings(new FileInfo(config), LogFormat.Simple), out var app, builder => builder.AddMailboxScheduler()));
        await using (app)
        {
            var scheduler = await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            try
            {
                var jobs = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals("mailboxes"));
                Assert.Equal(["sales", "support"], jobs.Select(job => job.Name).Order(StringComparer.Ordinal));
                Assert.Equal("0 0/2 * * * ?", CronOf(await scheduler.GetTrigger(new TriggerKey("support", "mailboxes"))));
                Assert.Equal(app.Options.Mailboxes["sales"].Schedule, CronOf(await scheduler.GetTrigger(new TriggerKey("sales", "mailboxes"))));
                var job = await scheduler.GetJobDetail(new JobKey("support", "mailboxes"));
                Assert.Equal("support", job!.JobDataMap.GetString(MailboxJob.MailboxKey));
                var metadata = await scheduler.GetMetadata();
                Assert.Equal(name, metadata.SchedulerName);
                Assert.Equal(3, metadata.ThreadPoolSize);
                Assert.Equal(TimeSpan.FromSeconds(7), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
            }
            finally
            {
                await scheduler.Shutdown();
            }
        }
    }

    private static string? CronOf(ITrigger? trigger) => Assert.IsAssignableFrom<ICronTrigger>(trigger).CronExpressionString;
}
