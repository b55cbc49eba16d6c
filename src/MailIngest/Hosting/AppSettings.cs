namespace MailIngest.Host.Hosting;

/// <summary>
/// What the global command-line options say about where settings come from and how to log; <paramref name="ProtocolLog"/>
/// is the <c>--protocol-log</c> file for POP3 conversations, null when not asked for.
/// </summary>
internal sealed record AppSettings(FileInfo? ConfigFile, LogFormat LogFormat, FileInfo? ProtocolLog = null);

internal enum LogFormat
{
    Simple,
    Json,
}
