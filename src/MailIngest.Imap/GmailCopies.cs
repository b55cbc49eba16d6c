using MailKit;

namespace MailIngest.Imap;

/// <summary>
/// Gmail shows a message in every folder it has a label of (INBOX, [Gmail]/All Mail, a label's folder), each with a UID
/// of that folder, and names it everywhere by one X-GM-MSGID (X-GM-EXT-1). A new UID whose X-GM-MSGID the ledger knows
/// in any folder, or that a folder before it in this listing holds, is left out of the listing, so that a message is
/// fetched once however many labels it has; every Gmail message is stored under a key made from its X-GM-MSGID
/// (<see cref="ImapMessageId.StorageName"/>), so that a copy fetched after all (its first folder lost the label) is
/// stored once. Known IDs are always listed: the ledger's memory of a folder holds exactly what was listed there.
/// </summary>
internal sealed class GmailCopies(IEnumerable<ImapMessageId> known)
{
    private readonly HashSet<ulong> _listed = [.. known.Select(id => id.GmailMessageId).OfType<ulong>()];

    /// <summary>
    /// The folder's IDs with each new one's X-GM-MSGID (one <c>UID FETCH … (X-GM-MSGID)</c> for the new UIDs), less the
    /// copies of messages listed already; the state counts the left-out ones as unlisted.
    /// </summary>
    public async Task<(List<ImapMessageId> Ids, FolderState? State)> ListOnceAsync(
        ListedFolder folder, List<ImapMessageId> ids, IReadOnlySet<ImapMessageId> known, FolderState? state, CancellationToken cancellationToken)
    {
        var added = ids.Where(id => !known.Contains(id)).Select(id => new UniqueId(folder.UidValidity, id.Uid)).ToList();
        var messageIds = new Dictionary<uint, ulong>();
        if (added.Count > 0)
        {
            var summaries = await folder.Folder.FetchAsync(added, MessageSummaryItems.UniqueId | MessageSummaryItems.GMailMessageId, cancellationToken);
            foreach (var summary in summaries.Where(s => s.GMailMessageId is not null))
            {
                messageIds[summary.UniqueId.Id] = summary.GMailMessageId!.Value;
            }
        }

        var listed = new List<ImapMessageId>(ids.Count);
        var copies = 0;
        foreach (var id in ids)
        {
            if (known.Contains(id))
            {
                listed.Add(id);
                continue;
            }

            var named = messageIds.TryGetValue(id.Uid, out var messageId) ? id with { GmailMessageId = messageId } : id;
            if (named.GmailMessageId is { } gmail && !_listed.Add(gmail))
            {
                copies++;
                continue;
            }

            listed.Add(named);
        }

        return (listed, state is null ? null : state with { Unlisted = state.Unlisted + copies });
    }
}
