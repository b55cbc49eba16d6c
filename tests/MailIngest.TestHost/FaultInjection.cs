using System.Diagnostics;
using MailIngest.Archive;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.TestHost;

/// <summary>
/// Crash tests' hook: <c>MAILINGEST_FAULT_INJECTION=STEP:N</c> kills this process with SIGKILL the N-th time the core
/// loop reaches <see cref="IngestStep"/> STEP, and <c>STEP:id=ID</c> every time STEP is reached for the message ID
/// (a message that kills every run handling it, as one too large for the pod's memory does), so a test can check the
/// invariants after a real crash at that exact point. With <c>MAILINGEST_FAULT_PAUSE=FILE</c> the process pauses there
/// instead: it writes <c>FILE.reached</c> and goes on once FILE exists, so that a test can change the server in between
/// (another client deleting a message the run is about to fetch).
/// </summary>
internal sealed class FaultInjection(IngestStep step, int? occurrence, string? messageId, string? pauseFile) : IIngestObserver
{
    public const string Variable = "MAILINGEST_FAULT_INJECTION";

    public const string PauseVariable = "MAILINGEST_FAULT_PAUSE";

    private const string IdPrefix = "id=";

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
        var parts = value.Split(':', 2);
        var when = parts.Length == 2 ? parts[1] : "";
        int? occurrence = int.TryParse(when, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : null;
        var messageId = when.StartsWith(IdPrefix, StringComparison.Ordinal) && when.Length > IdPrefix.Length ? when[IdPrefix.Length..] : null;
        if (!steps.Contains(parts[0], StringComparer.Ordinal) || (occurrence is null && messageId is null))
        {
            throw new FormatException(
                $"{Variable} must look like ManifestStored:2 or Retrieving:id=UIDL (a step of {string.Join(", ", steps)}, and a count from 1 or a message's ID), was '{value}'.");
        }

        var pauseFile = Environment.GetEnvironmentVariable(PauseVariable);
        services.AddSingleton<IIngestObserver>(new FaultInjection(Enum.Parse<IngestStep>(parts[0]), occurrence, messageId, string.IsNullOrEmpty(pauseFile) ? null : pauseFile));
    }

    public void OnStep(string mailbox, IngestStep reached, string? about)
    {
        if (reached != step)
        {
            return;
        }

        if (messageId is not null ? about == messageId : Interlocked.Increment(ref _seen) == occurrence)
        {
            if (pauseFile is null)
            {
                Process.GetCurrentProcess().Kill();
                return;
            }

            File.WriteAllText(pauseFile + ".reached", about ?? "");
            while (!File.Exists(pauseFile))
            {
                Thread.Sleep(50);
            }
        }
    }
}
