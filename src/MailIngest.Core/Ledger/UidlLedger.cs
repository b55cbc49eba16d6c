namespace MailIngest.Ledger;

/// <summary>
/// A mailbox's memory of what is stored: the UIDL of every ingested message still on the server (in server order),
/// the high-water mark, running totals and the last run's outcome. A UIDL is added only after its manifest is stored.
/// </summary>
internal sealed class UidlLedger
{
    private readonly List<string> _uidls;
    private readonly HashSet<string> _index;

    public UidlLedger(LedgerDocument document)
    {
        Mailbox = document.Mailbox;
        HighWaterMark = document.HighWaterMark;
        Totals = document.Totals;
        LastRun = document.LastRun;
        _uidls = [.. document.Uidls];
        _index = new HashSet<string>(_uidls, StringComparer.Ordinal);
    }

    public string Mailbox { get; }

    /// <summary>The newest ingested UIDL in server order.</summary>
    public string? HighWaterMark { get; private set; }

    public LedgerTotals Totals { get; set; }

    public RunRecord? LastRun { get; set; }

    public int Count => _uidls.Count;

    public static UidlLedger Empty(string mailbox) =>
        new(new LedgerDocument(LedgerDocument.CurrentSchemaVersion, mailbox, null, [], new LedgerTotals(), null));

    public bool Contains(string uidl) => _index.Contains(uidl);

    public void Add(string uidl)
    {
        if (_index.Add(uidl))
        {
            _uidls.Add(uidl);
        }

        HighWaterMark = uidl;
    }

    /// <summary>Forgets messages that have left the server, so the ledger stays as small as the mailbox.</summary>
    /// <returns>How many entries were removed.</returns>
    public int Prune(IReadOnlySet<string> onServer)
    {
        var removed = _uidls.RemoveAll(uidl => !onServer.Contains(uidl));
        if (removed > 0)
        {
            _index.IntersectWith(onServer);
        }

        return removed;
    }

    public LedgerDocument ToDocument() =>
        new(LedgerDocument.CurrentSchemaVersion, Mailbox, HighWaterMark, [.. _uidls], Totals, LastRun);
}
