namespace MailIngest.Host.Cli;

/// <summary>The process exit codes scripts and the CronJob rely on.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>At least one mailbox failed; the others may have succeeded.</summary>
    public const int MailboxFailed = 1;

    /// <summary>The configuration is invalid; nothing was connected to.</summary>
    public const int ConfigurationError = 2;
}
