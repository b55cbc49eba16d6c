using MailIngest.Configuration;

namespace MailIngest.Sources;

/// <summary>
/// Tells <c>mailingest run</c> when a mailbox has new mail between its scheduled runs (IMAP IDLE, a mailbox's
/// <see cref="MailboxOptions.Idle"/>), so that its run starts at once; the schedule stays the fallback.
/// </summary>
public interface IMailWatcher
{
    /// <summary>Whether this watcher watches the mailbox.</summary>
    bool Serves(MailboxOptions options);

    /// <summary>
    /// Watches until <paramref name="cancellationToken"/> is cancelled, calling <paramref name="newMail"/> soon after
    /// the server announces new mail, and once whenever it has (re)connected, for mail that came while it was not
    /// watching. Failures are retried or, when retrying cannot help (a rejected login), end the watch with a log line;
    /// they are never thrown: the scheduled runs report them.
    /// </summary>
    Task WatchAsync(string mailbox, MailboxOptions options, Func<CancellationToken, Task> newMail, CancellationToken cancellationToken);
}
