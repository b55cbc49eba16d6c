using MailIngest.Configuration;
using Microsoft.Extensions.Options;

namespace MailIngest.Host.Scheduling;

/// <summary>Checks the scheduler settings and every mailbox's cron <c>Schedule</c> at start, quoting what is wrong.</summary>
internal sealed class SchedulerOptionsValidator(IOptions<MailIngestOptions> mailIngest) : IValidateOptions<SchedulerOptions>
{
    public ValidateOptionsResult Validate(string? name, SchedulerOptions options)
    {
        var errors = new List<string>();
        foreach (var (mailbox, settings) in mailIngest.Value.Mailboxes)
        {
            if (CronSchedule.Problem(settings.Schedule) is { } problem)
            {
                errors.Add($"{MailIngestOptions.SectionName}:Mailboxes:{mailbox}:Schedule '{settings.Schedule}' is not a Quartz cron expression " +
                    $"({problem}); for every 5 minutes write \"0 0/5 * * * ?\" (seconds minutes hours day-of-month month day-of-week).");
            }
        }

        var hasFile = !string.IsNullOrWhiteSpace(options.ConnectionStringFile);
        if (hasFile && !string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add($"{SchedulerOptions.SectionName}:ConnectionString and {SchedulerOptions.SectionName}:ConnectionStringFile are both set: keep one.");
        }
        else if (hasFile && SecretFile.Problem(options.ConnectionStringFile) is { } problem)
        {
            errors.Add($"{SchedulerOptions.SectionName}:ConnectionStringFile: {problem}; set it to a readable file holding the PostgreSQL connection string.");
        }
        else if (options.Clustered && !hasFile && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add($"{SchedulerOptions.SectionName}:ConnectionString (or ConnectionStringFile) is required when Clustered is true: set it to the PostgreSQL connection string.");
        }

        if (options.ShutdownTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{SchedulerOptions.SectionName}:ShutdownTimeout must be more than 00:00:00, was {options.ShutdownTimeout}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
