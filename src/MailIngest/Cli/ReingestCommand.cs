using System.CommandLine;

namespace MailIngest.Host.Cli;

/// <summary>
/// <c>mailingest reingest --mailbox NAME</c>: the other recovery after an IMAP folder's new UIDVALIDITY (or the UIDL
/// guard) stopped a run. Accepts the server's new numbering and sets aside the ledger's entries of stored messages it no
/// longer lists; the next run fetches everything again and records each message whose raw SHA-256 one of them holds under
/// its old key, storing only the others (docs/recovery.md). Exit codes as for <c>once</c>.
/// </summary>
internal static class ReingestCommand
{
    public static Command Create() => RecoveryCommand.Create(
        "reingest",
        "Accept a renumbered folder (new UIDVALIDITY) or new UIDLs and make the next run fetch the mailbox again, storing only messages " +
        "whose raw SHA-256 was not stored before: 0 all succeeded, 1 some mailbox failed, 2 configuration error.",
        "it accepts the server's new numbering for that mailbox",
        (runner, mailbox, options, cancellationToken) => runner.ReingestAsync(mailbox, options, cancellationToken));
}
