using System.Runtime.InteropServices;
using MailIngest.Sources;

namespace MailIngest.Ingestion;

/// <summary>
/// One session's listing of the mailbox, with the IDs the server listed more than once (a server bug, but seen in the
/// wild). Copies that share an ID cannot be told apart by it, so each copy is fetched and the ID is recorded only once
/// its last copy is stored; in delete mode only copies stored in this very session are deleted.
/// </summary>
internal sealed class MessageListing
{
    private readonly Dictionary<string, (int Copies, int LastPosition)> _ids;

    public MessageListing(IReadOnlyList<ListedMessage> messages)
    {
        Messages = messages;
        _ids = new Dictionary<string, (int, int)>(messages.Count, StringComparer.Ordinal);
        for (var position = 0; position < messages.Count; position++)
        {
            ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, messages[position].Id, out _);
            id = (id.Copies + 1, position);
        }
    }

    public IReadOnlyList<ListedMessage> Messages { get; }

    public int Count => Messages.Count;

    public string this[int position] => Messages[position].Id;

    /// <summary>The IDs listed, each once.</summary>
    public IReadOnlyCollection<string> Distinct => _ids.Keys;

    /// <summary>Whether the listing names <paramref name="id"/>.</summary>
    public bool Lists(string id) => _ids.ContainsKey(id);

    /// <summary>IDs listed more than once, with how many times.</summary>
    public IEnumerable<KeyValuePair<string, int>> Duplicates =>
        _ids.Where(pair => pair.Value.Copies > 1).Select(pair => KeyValuePair.Create(pair.Key, pair.Value.Copies));

    public int Copies(string id) => _ids.GetValueOrDefault(id).Copies;

    public bool IsLastCopy(int position) => _ids[this[position]].LastPosition == position;

    /// <summary>The positions of every copy of the ID at <paramref name="position"/>.</summary>
    public IEnumerable<int> CopiesOf(int position)
    {
        var id = this[position];
        return Enumerable.Range(0, Count).Where(p => Messages[p].Id == id);
    }
}
