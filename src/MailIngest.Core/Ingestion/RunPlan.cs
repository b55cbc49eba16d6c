using System.Globalization;
using MailIngest.Configuration;
using MailIngest.Ledger;

namespace MailIngest.Ingestion;

/// <summary>
/// What one session of a run does with the listed messages (docs/architecture.md, "Plan"): which to fetch (oldest first,
/// cut to the run's budgets), which to record without fetching (too large, or failed too often), and which of those
/// already stored may be deleted. <c>mailingest plan</c> shows this very plan.
/// </summary>
internal sealed class RunPlan
{
    private RunPlan(MessageListing listing)
    {
        Listing = listing;
    }

    public MessageListing Listing { get; }

    /// <summary>Listed messages' sizes by the server's listing (those planning needed, at least), or null when it needed none.</summary>
    public IReadOnlyList<long?>? Sizes { get; private init; }

    /// <summary>Positions to fetch now, in server order.</summary>
    public IReadOnlyList<int> Fetch { get; private init; } = [];

    /// <summary>Positions to record without fetching: larger than MaxMessageSize, or out of attempts.</summary>
    public IReadOnlyList<Unfetched> Record { get; private init; } = [];

    /// <summary>Positions of kept messages that may be deleted now (DeleteAfterIngest), before anything is fetched.</summary>
    public IReadOnlyList<int> Deletable { get; private init; } = [];

    /// <summary>Messages that need fetching: new ones, ones to retry, and kept ones whose ID may have been reused.</summary>
    public int New { get; private init; }

    public long NewBytes { get; private init; }

    public long FetchBytes { get; private init; }

    /// <summary>Messages to fetch that the budgets leave for later runs.</summary>
    public int Later { get; private init; }

    /// <summary>The budget that leaves messages for later, if any.</summary>
    public string? Budget { get; private init; }

    /// <summary>How often each position to fetch failed before, counting a run that died while handling it; such a message is fetched alone.</summary>
    public IReadOnlyDictionary<int, int> Attempts { get; private init; } = new Dictionary<int, int>();

    /// <summary>
    /// The positions whose sizes planning needs (POP3 LIST, IMAP RFC822.SIZE): messages to fetch or to verify, and kept
    /// ones to delete; none for a poll without new mail.
    /// </summary>
    public static IReadOnlyList<int> NeedsSizes(MessageListing listing, MailboxLedger ledger, MailboxOptions options)
    {
        var needed = new List<int>();
        for (var position = 0; position < listing.Count; position++)
        {
            var entry = ledger.Find(listing[position]);
            if (entry is null || entry.State is EntryState.Retrying || entry.Deleting || ledger.DiedInFlight.Contains(entry.Id)
                || (options.RemovesIngested && entry.IsKept))
            {
                needed.Add(position);
            }
        }

        return needed;
    }

    /// <param name="listing">The session's listing.</param>
    /// <param name="ledger">The mailbox's ledger.</param>
    /// <param name="sizes">The listed messages' sizes (at least those <see cref="NeedsSizes"/> named), or null when it named none.</param>
    /// <param name="options">The mailbox's budgets and limits.</param>
    /// <param name="counters">What earlier sessions of the same run fetched: the budgets hold for the whole run.</param>
    public static RunPlan Create(MessageListing listing, MailboxLedger ledger, IReadOnlyList<long?>? sizes, MailboxOptions options, RunCounters counters)
    {
        var (fetchedBefore, bytesBefore) = (counters.Fetched, counters.Bytes);
        var fetch = new List<int>();
        var record = new List<Unfetched>();
        var deletable = new List<int>();
        var attempts = new Dictionary<int, int>();
        var (candidates, candidateBytes, fetchBytes, later) = (0, 0L, 0L, 0);
        string? budget = null;
        for (var position = 0; position < listing.Count; position++)
        {
            var id = listing[position];
            var entry = ledger.Find(id);
            var size = sizes?[position];
            if (entry is not null && !NeedsFetching(entry, size, ledger.DiedInFlight.Contains(id)))
            {
                // A copy of an ID listed twice may not be the copy that was stored: those go only when stored in this session.
                if (options.RemovesIngested && entry.IsKept && listing.Copies(id) == 1)
                {
                    deletable.Add(position);
                }

                continue;
            }

            candidates++;
            candidateBytes += size ?? 0;
            var tried = (entry is { State: EntryState.Retrying } ? entry.Attempts : 0) + (ledger.DiedInFlight.Contains(id) ? 1 : 0);
            if (tried >= options.MaxAttempts)
            {
                record.Add(new Unfetched(position, EntryState.Failed, tried, entry?.Error));
                continue;
            }

            if (options.MaxMessageSize > 0 && size > options.MaxMessageSize)
            {
                record.Add(new Unfetched(position, EntryState.Skipped, tried, string.Create(
                    CultureInfo.InvariantCulture,
                    $"the server lists it at {size} bytes, more than MaxMessageSize {options.MaxMessageSize}: not fetched")));
                continue;
            }

            var fetched = fetchedBefore + fetch.Count;
            budget ??= options.MaxMessagesPerRun > 0 && fetched >= options.MaxMessagesPerRun ? $"MaxMessagesPerRun {options.MaxMessagesPerRun}"
                // The run's first message is always fetched, however large, so that a big message cannot stall the mailbox forever.
                : options.MaxBytesPerRun > 0 && fetched > 0 && bytesBefore + fetchBytes + (size ?? 0) > options.MaxBytesPerRun ? $"MaxBytesPerRun {options.MaxBytesPerRun}"
                : null;
            if (budget is not null)
            {
                later++;
                continue;
            }

            fetch.Add(position);
            fetchBytes += size ?? 0;
            if (tried > 0)
            {
                attempts[position] = tried;
            }
        }

        return new RunPlan(listing)
        {
            Sizes = sizes,
            Fetch = fetch,
            Record = record,
            Deletable = deletable,
            New = candidates,
            NewBytes = candidateBytes,
            FetchBytes = fetchBytes,
            Later = later,
            Budget = budget,
            Attempts = attempts,
        };
    }

    /// <summary>
    /// An entry the ledger holds is fetched again when it is being retried, when a run died while handling it, when a
    /// DELE for it was never confirmed (the server may have reused its ID since), or when the server now lists another
    /// size under its ID (a reused ID). Adopted, skipped and failed messages are otherwise left alone.
    /// </summary>
    private static bool NeedsFetching(LedgerEntry entry, long? listedSize, bool diedInFlight) =>
        entry.State is EntryState.Retrying
        || diedInFlight
        || entry.Deleting
        || (entry.State is EntryState.Stored or EntryState.Quarantined or EntryState.Seen && listedSize is { } size && entry.Size is { } known && size != known);
}

/// <summary>A listed message to record without fetching it.</summary>
/// <param name="Position">Its position in the listing.</param>
/// <param name="State">Skipped (too large) or Failed (out of attempts).</param>
/// <param name="Attempts">How often it failed.</param>
/// <param name="Error">Why.</param>
internal sealed record Unfetched(int Position, EntryState State, int Attempts, string? Error);
