using System.Collections.Concurrent;
using System.Globalization;
using MailIngest.Ingestion;
using Microsoft.Extensions.Logging;

namespace MailIngest.Host.Hosting;

/// <summary>
/// Shows a run's progress (messages, bytes, rate, time left): redrawn in place on a terminal, or as a log line every few
/// seconds when standard error is not one (a pod's log, a file).
/// </summary>
internal sealed partial class ProgressReporter(TimeProvider time, ILogger<ProgressReporter> logger) : IProgressSink
{
    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(5);

    private readonly bool _terminal = !Console.IsErrorRedirected;
    private readonly ConcurrentDictionary<string, Progress> _runs = new(StringComparer.Ordinal);

    public void Planned(string mailbox, int messages, long bytes)
    {
        var progress = _runs.GetOrAdd(mailbox, _ => new Progress(time.GetTimestamp()));
        lock (progress)
        {
            // After a reconnect the plan covers what is left, so the total is what is done plus that.
            progress.Total = progress.Done + messages;
            progress.TotalBytes = progress.DoneBytes + bytes;
        }
    }

    public void Stored(string mailbox, long bytes)
    {
        if (!_runs.TryGetValue(mailbox, out var progress))
        {
            return;
        }

        string? line = null;
        lock (progress)
        {
            progress.Done++;
            progress.DoneBytes += bytes;
            var now = time.GetTimestamp();
            if (time.GetElapsedTime(progress.ReportedAt, now) >= (_terminal ? TerminalInterval : LogInterval) || progress.Done == progress.Total)
            {
                progress.ReportedAt = now;
                line = Describe(mailbox, progress, time.GetElapsedTime(progress.Started, now));
            }
        }

        if (line is null)
        {
            return;
        }

        if (_terminal)
        {
            Console.Error.Write($"\r{line}\u001b[K");
            progress.Drawn = true;
        }
        else
        {
            LogProgress(logger, line);
        }
    }

    public void Finished(string mailbox)
    {
        if (_runs.TryRemove(mailbox, out var progress) && progress.Drawn)
        {
            Console.Error.WriteLine();
        }
    }

    private static string Describe(string mailbox, Progress p, TimeSpan elapsed)
    {
        var rate = p.Done / Math.Max(elapsed.TotalSeconds, 0.001);
        var left = TimeSpan.FromSeconds((p.Total - p.Done) / Math.Max(rate, 0.001));
        // A pass that counts messages alone (reprocess) plans no bytes.
        var bytes = p.TotalBytes == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" {p.DoneBytes / 1048576.0:0.0}/{p.TotalBytes / 1048576.0:0.0} MB,");
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{mailbox}: {p.Done}/{p.Total} messages,{bytes} {rate:0.0} msg/s, about {left:hh\\:mm\\:ss} left");
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "{Progress}")]
    private static partial void LogProgress(ILogger logger, string progress);

    private sealed class Progress(long started)
    {
        public long Started { get; } = started;

        public long ReportedAt { get; set; } = started;

        public int Total { get; set; }

        public long TotalBytes { get; set; }

        public int Done { get; set; }

        public long DoneBytes { get; set; }

        public bool Drawn { get; set; }
    }
}
