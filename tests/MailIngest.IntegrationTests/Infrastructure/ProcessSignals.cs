using System.Diagnostics;
using System.Globalization;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>Sends a Unix signal to a process: SIGSTOP and SIGCONT freeze and thaw it, SIGTERM asks it to stop.</summary>
internal static class ProcessSignals
{
    public static void Send(int processId, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, processId.ToString(CultureInfo.InvariantCulture) } })
            ?? throw new InvalidOperationException("kill did not start.");
        kill.WaitForExit();
    }
}
