using System.Diagnostics;
using MailIngest.Ingestion;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.TestHost;

/// <summary>
/// Crash tests' hook: <c>MAILINGEST_FAULT_INJECTION=STEP:N</c> kills this process with SIGKILL the N-th time the core
/// loop reaches <see cref="IngestStep"/> STEP, so a test can check the invariants after a real crash at that exact point.
/// </summary>
internal sealed class FaultInjection(IngestStep step, int occurrence) : IIngestObserver
{
    public const string Variable = "MAILINGEST_FAULT_INJECTION";

    private int _seen;

    /// <summary>Registers the fault when the variable is set; a malformed value is a configuration error (exit 2).</summary>
    public static void AddFromEnvironment(IServiceCollection services)
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        // By name only, so that every step the core loop defines can be named, and a number is not taken for one.
        var steps = Enum.GetNames<IngestStep>();
        var parts = value.Split(':');
        if (parts.Length != 2 || !steps.Contains(parts[0], StringComparer.Ordinal)
            || !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var occurrence) || occurrence < 1)
        {
            throw new FormatException($"{Variable} must look like ManifestStored:2 (a step of {string.Join(", ", steps)} and a count from 1), was '{value}'.");
        }

        services.AddSingleton<IIngestObserver>(new FaultInjection(Enum.Parse<IngestStep>(parts[0]), occurrence));
    }

    public void OnStep(string mailbox, IngestStep reached)
    {
        if (reached == step && Interlocked.Increment(ref _seen) == occurrence)
        {
            Process.GetCurrentProcess().Kill();
        }
    }
}
