using System.ComponentModel;
using System.Runtime.InteropServices;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// Sends a Unix signal to a process with <c>kill(2)</c>, as <c>FileSystemSync</c> calls libc: the <c>kill</c> command is
/// in procps, which minimal images do not have (docs/fresh-machine.md).
/// </summary>
internal static partial class ProcessSignals
{
    public static void Send(int processId, UnixSignal signal)
    {
        if (Kill(processId, (int)signal) != 0)
        {
            var error = new Win32Exception(Marshal.GetLastPInvokeError());
            throw new InvalidOperationException($"Sending {signal} to process {processId} failed: {error.Message}", error);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int processId, int signal);
}

/// <summary>The signals the tests send, with their Linux numbers (x86-64 and arm64 alike).</summary>
internal enum UnixSignal
{
    /// <summary>SIGINT: PostgreSQL's fast shutdown.</summary>
    Interrupt = 2,

    /// <summary>SIGTERM: asks a process to stop, as Kubernetes does.</summary>
    Terminate = 15,

    /// <summary>SIGCONT: thaws a frozen process.</summary>
    Continue = 18,

    /// <summary>SIGSTOP: freezes a process; the kernel still accepts connections for it, nothing answers.</summary>
    Stop = 19,
}
