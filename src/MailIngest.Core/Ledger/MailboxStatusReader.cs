using MailIngest.Archive;

namespace MailIngest.Ledger;

/// <summary>Reads what a mailbox's ledger says about it, for <c>mailingest status</c>; changes nothing and takes no lock.</summary>
public sealed class MailboxStatusReader(IMailArchive archive)
{
    private readonly LedgerStore _ledgers = new(archive);

    /// <summary>The ledger as last written, or null when the mailbox was never ingested.</summary>
    public async Task<LedgerDocument?> ReadAsync(string mailbox, CancellationToken cancellationToken)
    {
        var ledger = await _ledgers.LoadAsync(mailbox, cancellationToken);
        return ledger.Version is null ? null : ledger.Ledger.ToDocument();
    }
}
