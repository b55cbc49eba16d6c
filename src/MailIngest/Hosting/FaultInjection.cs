using System.Diagnostics;
using MailIngest.Archive;

namespace MailIngest.Host.Hosting;

/// <summary>
/// Crash tests' hook: <c>MAILINGEST_FAULT_INJECTION=STEP:N</c> kills this process with SIGKILL the N-th time the core
/// loop reaches <see cref="IngestStep"/> STEP, so a test can check the invariants after a real crash at that exact point.
/// </summary>
internal sealed class FaultInjection(IngestStep step, int occurrence) : IIngestObserver
{
    public const string Variable = "MAILINGEST_FAULT_INJECTION";

    private int _seen;

    public static FaultInjection? FromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var parts = value.Split(':');
        return parts.Length == 2 && Enum.TryParse<IngestStep>(parts[0], out var step) && int.TryParse(parts[1], out var occurrence) && occurrence > 0
            ? new FaultInjection(step, occurrence)
            : throw new FormatException($"{Variable} must look like ManifestStored:2 (a step of {string.Join(", ", Enum.GetNames<IngestStep>())} and a count), was '{value}'.");
    }

    public void OnStep(string mailbox, IngestStep reached, string? messageId)
    {
        if (reached == step && Interlocked.Increment(ref _seen) == occurrence)
        {
            Process.GetCurrentProcess().Kill();
        }
    }
}
