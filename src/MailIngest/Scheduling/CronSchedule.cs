using Quartz;

namespace MailIngest.Host.Scheduling;

/// <summary>Quartz's judgement of a mailbox's <c>Schedule</c>, shared by the validator and the job registration.</summary>
internal static class CronSchedule
{
    /// <summary>Why <paramref name="expression"/> is not a Quartz cron expression, or null when it is one.</summary>
    public static string? Problem(string expression)
    {
        try
        {
            _ = new CronExpression(expression);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }
}
