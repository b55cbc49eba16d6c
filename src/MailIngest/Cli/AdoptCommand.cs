using System.CommandLine;

namespace MailIngest.Host.Cli;

/// <summary>
/// <c>mailingest adopt --mailbox NAME</c>: record every message now on the server as seen, without fetching or deleting
/// any. The recovery after the UIDL guard (or an IMAP folder's new UIDVALIDITY) stopped a run, and the way to start on a
/// mailbox whose history should not be imported. Exit codes as for <c>once</c>.
/// </summary>
internal static class AdoptCommand
{
    public static Command Create() => RecoveryCommand.Create(
        "adopt",
        "Mark every message now on the mailbox's server as already ingested, without fetching it (no RETR or FETCH, no deletion): " +
        "0 all succeeded, 1 some mailbox failed, 2 configuration error.",
        "it marks mail as seen without storing it",
        (runner, mailbox, options, cancellationToken) => runner.AdoptAsync(mailbox, options, cancellationToken));
}
