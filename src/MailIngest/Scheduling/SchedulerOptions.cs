using MailIngest.Configuration;

namespace MailIngest.Host.Scheduling;

/// <summary>The <c>MailIngest:Scheduler</c> section: how <c>mailingest run</c> schedules the mailboxes.</summary>
public sealed class SchedulerOptions
{
    public const string SectionName = "MailIngest:Scheduler";

    /// <summary>Share the schedule with other <c>run</c> processes through PostgreSQL, so each tick runs on exactly one of them.</summary>
    public bool Clustered { get; set; }

    /// <summary>Clustered: the PostgreSQL connection string (Npgsql form); set it from a secret.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Clustered: a file holding the connection string instead (a mounted Kubernetes Secret); read at start.</summary>
    public string ConnectionStringFile { get; set; } = "";

    /// <summary>Clustered: the name the processes of one deployment share; several deployments may use one database with different names.</summary>
    public string SchedulerName { get; set; } = "mailingest";

    /// <summary>How long a stop (SIGTERM) waits for runs in progress to finish their current message and write their ledgers.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>The connection string from <see cref="ConnectionStringFile"/> when set, else <see cref="ConnectionString"/>; empty when the file cannot be read (the validator says why).</summary>
    internal string ReadConnectionString() =>
        string.IsNullOrWhiteSpace(ConnectionStringFile) ? ConnectionString
        : SecretFile.Problem(ConnectionStringFile) is null ? SecretFile.Read(ConnectionStringFile)
        : "";
}
