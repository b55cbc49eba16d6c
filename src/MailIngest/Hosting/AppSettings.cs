namespace MailIngest.Host.Hosting;

/// <summary>What the global command-line options say about where settings come from and how to log.</summary>
internal sealed record AppSettings(FileInfo? ConfigFile, LogFormat LogFormat);

internal enum LogFormat
{
    Simple,
    Json,
}
