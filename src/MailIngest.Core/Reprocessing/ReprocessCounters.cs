using System.Globalization;
using MailIngest.Ingestion;

namespace MailIngest.Reprocessing;

/// <summary>What one pass has done so far, counted from its workers at once.</summary>
internal sealed class ReprocessCounters
{
    private readonly Lock _sync = new();
    private int _examined;
    private int _rewritten;
    private int _restored;
    private int _unchanged;
    private int _fromQuarantine;
    private int _stillFailing;
    private int _failed;
    private string? _firstFailure;

    public void Examined() => Interlocked.Increment(ref _examined);

    public void Unchanged() => Interlocked.Increment(ref _unchanged);

    public void StillFailing() => Interlocked.Increment(ref _stillFailing);

    public void Count(ReprocessChange change)
    {
        switch (change)
        {
            case ReprocessChange.Rewritten:
                Interlocked.Increment(ref _rewritten);
                break;
            case ReprocessChange.Restored:
                Interlocked.Increment(ref _restored);
                break;
            case ReprocessChange.FromQuarantine:
                Interlocked.Increment(ref _fromQuarantine);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change, null);
        }
    }

    /// <summary>A message that could not be reprocessed; the first one's error goes into the summary.</summary>
    public void Failed(string folder, string error)
    {
        lock (_sync)
        {
            _failed++;
            _firstFailure ??= $"{folder}: {error}";
        }
    }

    public ReprocessResult ToResult(string mailbox, bool dryRun, TimeSpan duration)
    {
        lock (_sync)
        {
            var failedMessages = _failed == 0 ? null : _failed == 1 ? _firstFailure
                : string.Create(CultureInfo.InvariantCulture, $"{_failed} messages could not be reprocessed (each is logged); the first: {_firstFailure}");
            return new ReprocessResult(mailbox, _failed == 0 ? MailboxRunStatus.Succeeded : MailboxRunStatus.Failed)
            {
                Examined = _examined,
                Rewritten = _rewritten,
                Restored = _restored,
                Unchanged = _unchanged,
                FromQuarantine = _fromQuarantine,
                StillFailing = _stillFailing,
                Failed = _failed,
                DryRun = dryRun,
                Duration = duration,
                Error = failedMessages,
            };
        }
    }
}
