using MailIngest.Sources;

namespace MailIngest.Ingestion;

/// <summary>
/// One session's listing of the mailbox, with the IDs the server listed more than once (a server bug, but seen in the
/// wild). Copies that share an ID cannot be told apart by it, so each copy is fetched and the ID is recorded only once
/// its last copy is stored; in delete mode only copies stored in this very session are deleted.
/// </summary>
internal sealed class MessageListing
{
    private readonly Dictionary<string, int> _copies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _lastPosition = new(StringComparer.Ordinal);

    public MessageListing(IReadOnlyList<ListedMessage> messages)
    {
        Messages = messages;
        for (var position = 0; position < messages.Count; position++)
        {
            var id = messages[position].Id;
            _copies[id] = _copies.GetValueOrDefault(id) + 1;
            _lastPosition[id] = position;
        }
    }

    public IReadOnlyList<ListedMessage> Messages { get; }

    public int Count => Messages.Count;

    public string this[int position] => Messages[position].Id;

    public IReadOnlySet<string> Distinct => _copies.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>IDs listed more than once, with how many times.</summary>
    public IEnumerable<KeyValuePair<string, int>> Duplicates => _copies.Where(pair => pair.Value > 1);

    public int Copies(string id) => _copies.GetValueOrDefault(id);

    public bool IsLastCopy(int position) => _lastPosition[this[position]] == position;

    /// <summary>The positions of every copy of the ID at <paramref name="position"/>.</summary>
    public IEnumerable<int> CopiesOf(int position)
    {
        var id = this[position];
        return Enumerable.Range(0, Count).Where(p => Messages[p].Id == id);
    }
}
