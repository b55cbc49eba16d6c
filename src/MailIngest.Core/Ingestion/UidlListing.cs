namespace MailIngest.Ingestion;

/// <summary>
/// One session's UIDL listing, with the UIDLs the server listed more than once (a server bug, but seen in the wild).
/// Copies that share a UIDL cannot be told apart by it, so each copy is fetched and the UIDL counts as ingested only once
/// its last copy is stored; in delete mode only copies stored in this very session are deleted.
/// </summary>
internal sealed class UidlListing
{
    private readonly Dictionary<string, int> _copies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _lastIndex = new(StringComparer.Ordinal);

    public UidlListing(IReadOnlyList<string> uidls)
    {
        Uidls = uidls;
        for (var index = 0; index < uidls.Count; index++)
        {
            _copies[uidls[index]] = _copies.GetValueOrDefault(uidls[index]) + 1;
            _lastIndex[uidls[index]] = index;
        }
    }

    public IReadOnlyList<string> Uidls { get; }

    public int Count => Uidls.Count;

    public IReadOnlySet<string> Distinct => _copies.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>UIDLs listed more than once, with how many times.</summary>
    public IEnumerable<KeyValuePair<string, int>> Duplicates => _copies.Where(pair => pair.Value > 1);

    public int Copies(string uidl) => _copies.GetValueOrDefault(uidl);

    public bool IsLastCopy(int index) => _lastIndex[Uidls[index]] == index;

    /// <summary>Indexes of the messages the ledger does not hold yet, in server order (oldest first).</summary>
    public List<int> NotIn(Ledger.UidlLedger ledger) => [.. Enumerable.Range(0, Count).Where(i => !ledger.Contains(Uidls[i]))];
}
