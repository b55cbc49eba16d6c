using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Hosting;

/// <summary>
/// What the global command-line options say about where settings come from and how to log; <paramref name="ProtocolLog"/>
/// is the <c>--protocol-log</c> file for POP3 conversations, null when not asked for. <paramref name="ExtraServices"/> is
/// what a host of the command line other than <c>mailingest</c> adds (the test host's fault injection), null in <c>mailingest</c>.
/// </summary>
internal sealed record AppSettings(
    FileInfo? ConfigFile, LogFormat LogFormat, FileInfo? ProtocolLog = null, Action<IServiceCollection>? ExtraServices = null);

internal enum LogFormat
{
    Simple,
    Json,
}
