using System.Globalization;

namespace MailIngest.Archive;

/// <summary>How a worker names itself in the mailbox locks it holds: host, process and since when.</summary>
public static class LockHolder
{
    private const string Separator = " pid ";

    public static string Current(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}{Separator}{Environment.ProcessId} since {time.GetUtcNow():u}");
    }

    /// <summary>
    /// Whether a holder that named itself <paramref name="holder"/> may still hold the lock: a process of this host must
    /// still be running; one of another host cannot be checked from here, so it may.
    /// </summary>
    public static bool MayBeAlive(string holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var at = holder.IndexOf(Separator, StringComparison.Ordinal);
        if (at < 0 || holder[..at] != Environment.MachineName)
        {
            return true;
        }

        var pid = holder[(at + Separator.Length)..].Split(' ')[0];
        return Directory.Exists($"/proc/{pid}") || !Directory.Exists("/proc");
    }
}
