using System.Globalization;
using System.Text;
using MailIngest.Configuration;
using MailIngest.Ingestion;
using MailIngest.Sources;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;

namespace MailIngest.Imap;

/// <summary>
/// An authenticated IMAP session behind the core's <see cref="IMailSession"/> (docs/imap.md). Positions run over the
/// folders in their configured order, each folder's messages by UID. A folder is listed only when its STATUS differs
/// from what the ledger remembers: above the old UIDNEXT when it has only gained messages, in full otherwise. Messages
/// are fetched with <c>UID FETCH … BODY.PEEK[]</c>, which sets no flag, straight into the run's spool. Deletions and
/// moves wait for <see cref="CommitAsync"/>; disposing without it leaves the server as it was.
/// </summary>
internal sealed class ImapMailSession(
    SpoolingImapClient client, MailboxOptions options, string endpoint, IReadOnlyList<ListedFolder> folders, SpoolingImapFolder? destination) : IMailSession
{
    private const string Gone = "the server sent nothing for it: another client deleted (expunged) it during the session";

    private readonly List<(ListedFolder Folder, UniqueId Uid)> _listed = [];
    private readonly Dictionary<string, FolderState> _remember = new(StringComparer.Ordinal);
    private readonly Dictionary<int, long> _sizes = [];
    private readonly List<int> _removing = [];

    public TimeSpan? LoginDelay => null;

    /// <summary>
    /// Larger than POP3's: a window is one <c>UID FETCH</c>, whose end MailKit waits for before the next is sent, so each
    /// window costs a round trip that POP3's pipelining does not (2,100 messages from Dovecot: 1.83 s with 16 messages or
    /// 8 MiB, 1.69 s with 64 or 32 MiB; docs/imap.md).
    /// </summary>
    public RetrievalWindow Window { get; } = new(64, 32 * 1024 * 1024);

    public MailServerInfo Info => new(
        endpoint,
        null,
        client.IsSecure,
        ImapCapabilityNames.Of(client.Capabilities),
        [.. client.AuthenticationMechanisms],
        null,
        folders.Sum(f => f.Messages),
        0)
    {
        Folders = [.. folders.Select(f => new FolderInfo(f.Name, f.UidValidity, f.UidNext, f.Messages))],
    };

    public string? SourceState => ImapSourceState.Format(_remember.Values);

    public async Task<IReadOnlyList<ListedMessage>> ListAsync(ListingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var remembered = ImapSourceState.Parse(request.SourceState);
        var known = Known(request.Known);
        _listed.Clear();
        _remember.Clear();
        _sizes.Clear();
        var listing = new List<ListedMessage>();
        var gmail = client.Capabilities.HasFlag(ImapCapabilities.GMailExt1) ? new GmailCopies(known.Values.SelectMany(ids => ids)) : null;
        foreach (var folder in folders)
        {
            var here = known.GetValueOrDefault(folder.Name) ?? [];
            var renumbered = here.Where(id => id.UidValidity != folder.UidValidity).ToList();
            if (renumbered.Count > 0 && !request.AcceptReset)
            {
                throw new UidlsChangedException(Renumbered(folder, renumbered));
            }

            var current = here.Where(id => id.UidValidity == folder.UidValidity).ToDictionary(id => id.Uid);
            var (ids, state) = await Call(
                $"listing {folder.Name}",
                0,
                async deadline =>
                {
                    var (uids, state) = await ListFolderAsync(folder, [.. current.Keys.Order()], remembered.GetValueOrDefault(folder.Name), deadline.Token);
                    var ids = uids.Select(uid => current.GetValueOrDefault(uid) ?? new ImapMessageId(folder.UidValidity, uid, folder.Name)).ToList();
                    return gmail is null ? (ids, state) : await gmail.ListOnceAsync(folder, ids, current.Values.ToHashSet(), state, deadline.Token);
                },
                cancellationToken);
            if (state is not null)
            {
                _remember[folder.Name] = state;
            }

            foreach (var id in ids)
            {
                _listed.Add((folder, new UniqueId(folder.UidValidity, id.Uid)));
                listing.Add(new ListedMessage(id.ToString()) { Folder = folder.Name, UidValidity = folder.UidValidity, Uid = id.Uid, StorageName = id.StorageName });
            }
        }

        return listing;
    }

    public async Task<IReadOnlyList<long?>> GetSizesAsync(IReadOnlyCollection<int> positions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(positions);
        var sizes = new long?[_listed.Count];
        foreach (var (folder, group) in ByFolder(positions))
        {
            var summaries = await Call(
                $"UID FETCH (RFC822.SIZE) in {folder.Name}",
                0,
                async deadline =>
                {
                    await OpenAsync(folder, deadline.Token);
                    return await folder.Folder.FetchAsync([.. group.Select(p => _listed[p].Uid)], MessageSummaryItems.UniqueId | MessageSummaryItems.Size, deadline.Token);
                },
                cancellationToken);
            var byUid = summaries.Where(s => s.Size is not null).ToDictionary(s => s.UniqueId.Id, s => (long)s.Size!.Value);
            foreach (var position in group)
            {
                if (byUid.TryGetValue(_listed[position].Uid.Id, out var size))
                {
                    sizes[position] = size;
                    _sizes[position] = size;
                }
            }
        }

        return sizes;
    }

    /// <remarks>
    /// Each message's bytes go from the socket into the target's stream as MailKit reads them; a message the server does
    /// not send (expunged by another client meanwhile) or refuses alone is reported refused, and the rest follow.
    /// </remarks>
    public async Task RetrieveAsync(IReadOnlyList<int> positions, IRetrievalTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(target);
        var start = 0;
        while (start < positions.Count)
        {
            // Runs of one folder, in the order asked.
            var folder = _listed[positions[start]].Folder;
            var end = start;
            while (end < positions.Count && _listed[positions[end]].Folder == folder)
            {
                end++;
            }

            await FetchAsync(folder, [.. positions.Skip(start).Take(end - start)], target, cancellationToken);
            start = end;
        }
    }

    public async Task<string> ReadHeaderAsync(int position, int maxBytes, CancellationToken cancellationToken)
    {
        var (folder, uid) = _listed[position];
        using var header = new MemoryStream();
        await Call(
            $"UID FETCH {uid} (BODY.PEEK[HEADER]) in {folder.Name}",
            maxBytes,
            async deadline =>
            {
                await OpenAsync(folder, deadline.Token);
                folder.Folder.Streams = (_, section) => section == "HEADER" ? new PassThroughStream(header, maxBytes) : null;
                try
                {
                    await using var stream = await folder.Folder.GetStreamAsync(uid, "HEADER", deadline.Token);
                }
                finally
                {
                    folder.Folder.Streams = null;
                }
            },
            cancellationToken);

        // Headers are ASCII by RFC 5322; Latin-1 keeps any stray 8-bit byte as one character rather than failing.
        return Encoding.Latin1.GetString(header.GetBuffer(), 0, (int)header.Length);
    }

    public async Task MarkSeenAsync(IReadOnlyList<int> positions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(positions);
        foreach (var (folder, group) in ByFolder(positions))
        {
            await Call(
                $"UID STORE +FLAGS (\\Seen) in {folder.Name}",
                0,
                async deadline =>
                {
                    await OpenAsync(folder, deadline.Token);
                    RequirePermanent(folder, MessageFlags.Seen, nameof(MailboxOptions.MarkSeen));
                    await folder.Folder.AddFlagsAsync([.. group.Select(p => _listed[p].Uid)], MessageFlags.Seen, silent: true, deadline.Token);
                },
                cancellationToken);
        }
    }

    /// <summary>Only noted: the messages leave their folders at <see cref="CommitAsync"/>.</summary>
    public Task DeleteAsync(IReadOnlyList<int> positions, CancellationToken cancellationToken)
    {
        _removing.AddRange(positions);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Moves (UID MOVE, or COPY, <c>\Deleted</c> and UID EXPUNGE) or deletes (<c>\Deleted</c> and UID EXPUNGE: exactly
    /// these messages, never what other clients marked) the noted messages, folder by folder, then logs out. A folder that
    /// lost messages is listed afresh next time: its count no longer matches what the ledger would remember.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        foreach (var (folder, group) in ByFolder(_removing))
        {
            _remember.Remove(folder.Name);
            var uids = group.Select(p => _listed[p].Uid).ToList();
            await Call(
                destination is null ? $"UID EXPUNGE in {folder.Name}" : $"moving {uids.Count} messages from {folder.Name} to {destination.FullName}",
                0,
                async deadline =>
                {
                    await OpenAsync(folder, deadline.Token);
                    if (destination is not null)
                    {
                        if (!client.Capabilities.HasFlag(ImapCapabilities.Move))
                        {
                            // Without MOVE, MailKit copies, flags \Deleted and expunges.
                            RequirePermanent(folder, MessageFlags.Deleted, nameof(MailboxOptions.MoveToFolder));
                        }

                        await folder.Folder.MoveToAsync(uids, destination, deadline.Token);
                    }
                    else
                    {
                        RequirePermanent(folder, MessageFlags.Deleted, nameof(MailboxOptions.DeleteAfterIngest));
                        await folder.Folder.AddFlagsAsync(uids, MessageFlags.Deleted, silent: true, deadline.Token);
                        await folder.Folder.ExpungeAsync(uids, deadline.Token);
                    }
                },
                cancellationToken);
        }

        _removing.Clear();
        try
        {
            await Call("LOGOUT", 0, deadline => client.DisconnectAsync(quit: true, deadline.Token), cancellationToken);
        }
        catch (MailServerException)
        {
            // Whatever was deleted or moved was acknowledged before; a lost LOGOUT changes nothing on the server.
        }
    }

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// One folder's UIDs, and what to remember of it. Unchanged since the ledger's state (the same UIDVALIDITY, UIDNEXT
    /// and count, and the ledger holds as many of its messages as that count says): the ledger's own UIDs, without a
    /// command. Only gained messages (UIDNEXT and the count grew by the same number, so none left): the ledger's UIDs and
    /// <c>UID SEARCH UID n:*</c>. Otherwise <c>UID SEARCH ALL</c>. A state is remembered only when the listing agrees
    /// with the counts the server gave, so that nothing listed wrongly can be remembered.
    /// </summary>
    private async Task<(IReadOnlyList<uint> Uids, FolderState? State)> ListFolderAsync(
        ListedFolder folder, List<uint> known, FolderState? remembered, CancellationToken cancellationToken)
    {
        if (folder.UidNext is { } next && remembered is { } old && old.UidValidity == folder.UidValidity && known.Count == old.Messages - old.Unlisted)
        {
            if (old.UidNext == next && old.Messages == folder.Messages)
            {
                return (known, old);
            }

            if (next >= old.UidNext && folder.Messages - old.Messages == next - old.UidNext)
            {
                await OpenAsync(folder, cancellationToken);
                var added = (await folder.Folder.SearchAsync(SearchQuery.Uids(new UniqueIdRange(folder.UidValidity, old.UidNext, uint.MaxValue)), cancellationToken))
                    .Select(u => u.Id).Where(u => u >= old.UidNext).ToList();
                return ([.. known, .. added], StateAfterSearch(folder, known.Count + added.Count, added, old.Unlisted));
            }
        }

        await OpenAsync(folder, cancellationToken);
        var all = (await folder.Folder.SearchAsync(SearchQuery.All, cancellationToken)).Select(u => u.Id).Order().ToList();
        return (all, StateAfterSearch(folder, all.Count, all, 0));
    }

    /// <summary>
    /// The state as of the folder's selection, when the search agrees with it: as many messages as the folder holds now
    /// (MailKit follows EXISTS and EXPUNGE), and none at or above the UIDNEXT the selection gave (which would have arrived
    /// since). Otherwise nothing is remembered and the next session lists the folder in full.
    /// </summary>
    private static FolderState? StateAfterSearch(ListedFolder folder, int listed, IReadOnlyList<uint> found, int unlisted)
    {
        var selected = folder.Folder;
        return selected.UidNext is { } next && selected.UidValidity == folder.UidValidity && listed + unlisted == selected.Count && found.All(u => u < next.Id)
            ? new FolderState(folder.Name, folder.UidValidity, next.Id, selected.Count, unlisted)
            : null;
    }

    /// <summary>Fetches one folder's messages into the target; asks again one by one when the server refuses them together.</summary>
    private async Task FetchAsync(ListedFolder folder, IReadOnlyList<int> positions, IRetrievalTarget target, CancellationToken cancellationToken)
    {
        var byUid = positions.ToDictionary(p => _listed[p].Uid.Id);
        var received = new HashSet<int>();
        var octets = positions.Sum(p => _sizes.GetValueOrDefault(p));
        try
        {
            await Call(
                $"UID FETCH of {positions.Count} messages (BODY.PEEK[]) in {folder.Name}",
                octets,
                async deadline =>
                {
                    await OpenAsync(folder, deadline.Token);
                    folder.Folder.Streams = (uid, section) =>
                        section.Length > 0 ? null
                        : uid is { } known ? byUid.TryGetValue(known.Id, out var position) && !received.Contains(position) ? new PassThroughStream(target.Open(position)) : null
                        // The UID comes after the message on some servers: the bytes wait in a temp file until it is known.
                        : new FileStream(Path.Combine(Path.GetTempPath(), $"mailingest-imap-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
                    try
                    {
                        await folder.Folder.GetStreamsAsync(
                            [.. positions.Select(p => _listed[p].Uid)],
                            async (_, _, uid, stream, ct) =>
                            {
                                if (!byUid.TryGetValue(uid.Id, out var position) || !received.Add(position))
                                {
                                    return;
                                }

                                deadline.Pause();
                                try
                                {
                                    if (((stream as PassThroughStream)?.Written ?? stream.Length) == 0)
                                    {
                                        // Dovecot answers for a message another session expunged with an empty BODY[]
                                        // (or NIL): no mail is empty, so it is refused, never stored as a message.
                                        await target.RefusedAsync(position, Gone, ct);
                                        return;
                                    }

                                    if (stream is not PassThroughStream)
                                    {
                                        await stream.CopyToAsync(target.Open(position), ct);
                                    }

                                    await target.CompletedAsync(position, ct);
                                }
                                finally
                                {
                                    deadline.Resume();
                                }
                            },
                            deadline.Token);
                    }
                    finally
                    {
                        folder.Folder.Streams = null;
                    }
                },
                cancellationToken);
        }
        catch (MailServerException e) when (e.InnerException is ImapCommandException { Response: ImapCommandResponse.No } refused)
        {
            var rest = positions.Where(p => !received.Contains(p)).ToList();
            if (positions.Count == 1)
            {
                await target.RefusedAsync(positions[0], refused.ResponseText, cancellationToken);
                return;
            }

            // One message may have spoilt the window: each one that did not arrive is asked for alone.
            foreach (var position in rest)
            {
                await FetchAsync(folder, [position], target, cancellationToken);
            }

            return;
        }

        foreach (var position in positions.Where(p => !received.Contains(p)))
        {
            await target.RefusedAsync(position, Gone, cancellationToken);
        }
    }

    /// <summary>Selects the folder unless it is selected: read-only unless the mailbox changes messages (MarkSeen, deleting, moving).</summary>
    private async Task OpenAsync(ListedFolder folder, CancellationToken cancellationToken)
    {
        var access = options.MarkSeen || options.RemovesIngested ? FolderAccess.ReadWrite : FolderAccess.ReadOnly;
        if (!folder.Folder.IsOpen || folder.Folder.Access != access)
        {
            await folder.Folder.OpenAsync(access, cancellationToken);
            if (folder.Folder.UidValidity != folder.UidValidity)
            {
                // Renumbered between STATUS and SELECT: a new session sees the new UIDVALIDITY in its STATUS.
                throw new MailServerException(
                    string.Create(CultureInfo.InvariantCulture, $"{endpoint}: the UIDVALIDITY of {folder.Name} changed during the session (from {folder.UidValidity} to {folder.Folder.UidValidity})"),
                    MailServerFailure.Transient);
            }
        }
    }

    /// <summary>
    /// MailKit leaves out of a STORE every flag the folder's PERMANENTFLAGS does not name, so an expunge after it would
    /// remove nothing and the ledger would forget messages still there: such a folder is refused instead.
    /// </summary>
    private void RequirePermanent(ListedFolder folder, MessageFlags flag, string setting)
    {
        if (!folder.Folder.PermanentFlags.HasFlag(flag))
        {
            throw new MailServerException(
                $"{endpoint} does not let the flag \\{flag} be set in {folder.Name} (its PERMANENTFLAGS are {folder.Folder.PermanentFlags}), which {setting} needs: check the account's rights on the folder, or turn {setting} off.",
                MailServerFailure.Permanent);
        }
    }

    private IEnumerable<(ListedFolder Folder, IReadOnlyList<int> Positions)> ByFolder(IEnumerable<int> positions) =>
        positions.GroupBy(p => _listed[p].Folder).Select(g => (g.Key, (IReadOnlyList<int>)[.. g.Order()]));

    private string Renumbered(ListedFolder folder, List<ImapMessageId> renumbered)
    {
        var was = string.Join(", ", renumbered.Select(id => id.UidValidity).Distinct().Order());
        return string.Create(
            CultureInfo.InvariantCulture,
            $"the folder {folder.Name} on {endpoint} has a new UIDVALIDITY ({folder.UidValidity}, was {was}): the server renumbered its messages " +
            $"(a restore, a migration, or the folder was deleted and made again), so the {renumbered.Count} UIDs the ledger holds for it no longer name its messages. " +
            $"Nothing was fetched, to avoid storing every message in it twice. If the messages in {folder.Name} are the ones already ingested, " +
            $"run 'mailingest adopt' for this mailbox to record them under their new UIDs as seen (never fetched, never deleted), then run again; " +
            $"or 'mailingest reingest' for it to fetch the folder again and store only the messages whose bytes (SHA-256) were not stored before (docs/recovery.md).");
    }

    private static Dictionary<string, List<ImapMessageId>> Known(IReadOnlyCollection<string> ids)
    {
        var known = new Dictionary<string, List<ImapMessageId>>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (ImapMessageId.TryParse(id, out var parsed))
            {
                (known.TryGetValue(parsed.Folder, out var list) ? list : known[parsed.Folder] = []).Add(parsed);
            }
        }

        return known;
    }

    /// <summary>Runs one command under its deadline, with MailKit's exceptions turned into the core's.</summary>
    private async Task<T> Call<T>(string what, long octets, Func<CommandDeadline, Task<T>> command, CancellationToken cancellationToken)
    {
        try
        {
            return await CommandDeadline.RunAsync(what, options.Timeout, octets, command, cancellationToken);
        }
        catch (Exception e) when (ImapErrors.Classify(e, endpoint) is { } error)
        {
            throw error;
        }
    }

    private async Task Call(string what, long octets, Func<CommandDeadline, Task> command, CancellationToken cancellationToken) =>
        await Call(
            what,
            octets,
            async deadline =>
            {
                await command(deadline);
                return true;
            },
            cancellationToken);
}
