using MailIngest.Configuration;

namespace MailIngest.Ingestion;

/// <summary>The new messages one run fetches, oldest first, cut to the mailbox's message and byte budgets.</summary>
internal sealed class FetchPlan
{
    private readonly List<int> _indexes;

    private FetchPlan(List<int> indexes, string? budget)
    {
        _indexes = indexes;
        Budget = budget;
    }

    public int Count => _indexes.Count;

    /// <summary>The budget that cut the plan short, or null when everything new fits.</summary>
    public string? Budget { get; }

    public long Sum(Func<int, long> size) => _indexes.Sum(size);

    /// <param name="pending">Indexes of new messages in server order.</param>
    /// <param name="sizes">Every message's size by the server's LIST.</param>
    /// <param name="options">The mailbox's budgets.</param>
    /// <param name="fetchedBefore">Messages an earlier session of the same run already fetched (before a reconnect).</param>
    /// <param name="bytesBefore">Their bytes: the budgets hold for the whole run, not for each session.</param>
    public static FetchPlan Create(
        IReadOnlyList<int> pending, IReadOnlyList<long> sizes, MailboxOptions options, int fetchedBefore = 0, long bytesBefore = 0)
    {
        var indexes = new List<int>(pending.Count);
        var bytes = bytesBefore;
        foreach (var index in pending)
        {
            var fetched = fetchedBefore + indexes.Count;
            if (options.MaxMessagesPerRun > 0 && fetched >= options.MaxMessagesPerRun)
            {
                return new FetchPlan(indexes, $"MaxMessagesPerRun {options.MaxMessagesPerRun}");
            }

            // The run's first message is always fetched, however large, so that a big message cannot stall the mailbox forever.
            if (options.MaxBytesPerRun > 0 && fetched > 0 && bytes + sizes[index] > options.MaxBytesPerRun)
            {
                return new FetchPlan(indexes, $"MaxBytesPerRun {options.MaxBytesPerRun}");
            }

            indexes.Add(index);
            bytes += sizes[index];
        }

        return new FetchPlan(indexes, null);
    }

    /// <summary>The next messages to request together, from position <paramref name="start"/> of the plan.</summary>
    public IReadOnlyList<int> NextBatch(int start, IReadOnlyList<long> sizes, int maxMessages, long maxBytes)
    {
        var batch = new List<int>();
        long bytes = 0;
        for (var i = start; i < _indexes.Count && batch.Count < maxMessages; i++)
        {
            var size = sizes[_indexes[i]];
            if (batch.Count > 0 && bytes + size > maxBytes)
            {
                break;
            }

            batch.Add(_indexes[i]);
            bytes += size;
        }

        return batch;
    }
}
