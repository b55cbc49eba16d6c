namespace MailIngest.Configuration;

/// <summary>
/// Keys that belong to one protocol: a POP3 mailbox refuses the IMAP keys and an IMAP mailbox the POP3 ones, naming the
/// key, rather than ignore a setting the operator meant (a <c>Folders</c> list that a POP3 mailbox would never read).
/// </summary>
internal static class ProtocolValidation
{
    public static void Validate(string key, MailboxOptions options, List<string> errors)
    {
        if (!Enum.IsDefined(options.Protocol))
        {
            errors.Add($"{key}:Protocol must be one of {string.Join(", ", Enum.GetNames<MailProtocol>())}.");
            return;
        }

        if (options.Protocol == MailProtocol.Pop3)
        {
            var imapOnly = new (string Name, bool Set)[]
            {
                (nameof(MailboxOptions.Folders), options.Folders.Count > 0),
                (nameof(MailboxOptions.MarkSeen), options.MarkSeen),
                (nameof(MailboxOptions.MoveToFolder), options.MoveToFolder.Length > 0),
                (nameof(MailboxOptions.Idle), options.Idle),
            };
            foreach (var (name, _) in imapOnly.Where(k => k.Set))
            {
                errors.Add($"{key}:{name} is an IMAP setting, but the mailbox's Protocol is Pop3: remove it, or set Protocol to Imap.");
            }

            return;
        }

        if (!options.UidlGuard)
        {
            errors.Add($"{key}:UidlGuard is a POP3 setting; an IMAP mailbox is guarded by each folder's UIDVALIDITY (docs/recovery.md): remove it.");
        }

        ValidateFolders(key, options, errors);
        if (options.MoveToFolder.Length > 0 && options.DeleteAfterIngest)
        {
            errors.Add($"{key}:MoveToFolder and {key}:DeleteAfterIngest are both set: keep one (MoveToFolder moves each stored message, DeleteAfterIngest deletes it).");
        }

        if (options.MoveToFolder.Length > 0 && options.EffectiveFolders.Contains(options.MoveToFolder, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{key}:MoveToFolder '{options.MoveToFolder}' is one of the Folders it ingests, so moved messages would be ingested again: name another folder.");
        }
    }

    private static void ValidateFolders(string key, MailboxOptions options, List<string> errors)
    {
        for (var i = 0; i < options.Folders.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Folders[i]))
            {
                errors.Add($"{key}:Folders:{i} is empty: name an IMAP folder, e.g. INBOX or Archive/2026.");
            }
        }

        foreach (var twice in options.Folders.Where(f => !string.IsNullOrWhiteSpace(f)).GroupBy(f => f, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"{key}:Folders names '{twice.Key}' {twice.Count()} times: name each folder once.");
        }
    }
}
