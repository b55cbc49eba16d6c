using System.Diagnostics;
using MailIngest.Archive;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.TestHost;

/// <summary>
/// Crash tests' hook: <c>MAILINGEST_FAULT_INJECTION=STEP:N</c> kills this process with SIGKILL the N-th time the core
/// loop reaches <see cref="IngestStep"/> STEP, and <c>STEP:id=ID</c> every time STEP is reached for the message ID
/// (a message that kills every run handling it, as one too large for the pod's memory does), so a test can check the
/// invariants after a real crash at that exact point.
/// </summary>
internal sealed class FaultInjection(IngestStep step, int? occurrence, string? messageId) : IIngestObserver
{
    public const string Variable = "MAILINGEST_FAULT_INJECTION";

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

        services.AddSingleton<IIngestObserver>(new FaultInjection(Enum.Parse<IngestStep>(parts[0]), occurrence, messageId));
    }

    public void OnStep(string mailbox, IngestStep reached, string? about)
    {
        if (reached != step)
        {
            return;
        }

        if (messageId is not null ? about == messageId : Interlocked.Increment(ref _seen) == occurrence)
        {
            Process.GetCurrentProcess().Kill();
        }
    }
}
