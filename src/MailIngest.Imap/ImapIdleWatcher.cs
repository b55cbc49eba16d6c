using MailIngest.Configuration;
using MailIngest.Sources;
using MailKit;
using MailKit.Net.Imap;
using Microsoft.Extensions.Logging;

namespace MailIngest.Imap;

/// <summary>
/// IMAP IDLE for <c>mailingest run</c> (docs/imap.md, "IDLE"): one connection per folder, selected read-only, in IDLE,
/// re-issued before the 29 minutes after which RFC 2177 lets a server drop an idle client. A new message (EXISTS with
/// a higher count) asks for a run of the mailbox; a burst of them asks once. A dropped connection is made again with
/// backoff; a failure that retrying cannot mend (a rejected login, a server without IDLE) ends the folder's watch, and
/// the mailbox's schedule goes on.
/// </summary>
internal sealed class ImapIdleWatcher(ImapMailServer server, ILogger<ImapIdleWatcher> logger, TimeProvider time) : IMailWatcher
{
    /// <summary>Well within RFC 2177's 29 minutes, with room for a slow DONE.</summary>
    internal static readonly TimeSpan DefaultRenewal = TimeSpan.FromMinutes(25);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    /// <summary>How long one IDLE lasts before DONE and a new IDLE.</summary>
    internal TimeSpan Renewal { get; init; } = DefaultRenewal;

    public bool Serves(MailboxOptions options) => options?.Protocol == MailProtocol.Imap && options.Idle;

    public async Task WatchAsync(string mailbox, MailboxOptions options, Func<CancellationToken, Task> newMail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var signal = new SemaphoreSlim(0);
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var asking = AskForRunsAsync(mailbox, signal, newMail, watching.Token);
        await Task.WhenAll(options.EffectiveFolders.Select(folder => WatchFolderAsync(mailbox, options, folder, signal, cancellationToken)));

        // Every folder's watch ended: by the caller, or by a failure that retrying cannot mend.
        await watching.CancelAsync();
        await asking;
    }

    /// <summary>One run asked for however many signals came while the last one was being asked for.</summary>
    private async Task AskForRunsAsync(string mailbox, SemaphoreSlim signal, Func<CancellationToken, Task> newMail, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(cancellationToken);
                while (signal.Wait(0, CancellationToken.None))
                {
                }

                await newMail(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.RunNotAskedFor(logger, mailbox, e.Message);
            }
        }
    }

    private async Task WatchFolderAsync(string mailbox, MailboxOptions options, string name, SemaphoreSlim signal, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var client = await server.ConnectAndLogInAsync(mailbox, options, cancellationToken);
                if (!client.Capabilities.HasFlag(ImapCapabilities.Idle))
                {
                    Log.NoIdle(logger, mailbox, name);
                    return;
                }

                await IdleAsync(mailbox, options, client, name, signal, cancellationToken);
                failures = 0;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var error = e as MailServerException ?? ImapErrors.Classify(e, ImapMailServer.Endpoint(options));
                if (error is not { Failure: MailServerFailure.Transient })
                {
                    Log.WatchEnded(logger, mailbox, name, error?.Message ?? e.Message);
                    return;
                }

                failures++;
                var wait = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, Math.Max(TimeSpan.FromSeconds(1).Ticks, options.RetryDelay.Ticks) << Math.Min(failures - 1, 16)));
                Log.WatchInterrupted(logger, mailbox, name, error.Message, wait);
                try
                {
                    await Task.Delay(wait, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Selects the folder and stays in IDLE, renewing it, until cancelled; a run is asked for at once, then on each new message.</summary>
    private async Task IdleAsync(string mailbox, MailboxOptions options, ImapClient client, string name, SemaphoreSlim signal, CancellationToken cancellationToken)
    {
        var folder = string.Equals(name, "INBOX", StringComparison.OrdinalIgnoreCase) ? client.Inbox : await client.GetFolderAsync(name, cancellationToken);
        await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);

        // Servers say nothing while idle, or little (Dovecot "OK Still here" every two minutes): a read waits up to a whole
        // renewal, and a connection that died is noticed when the next DONE goes unanswered.
        client.Timeout = (int)Math.Min((Renewal + options.Timeout).TotalMilliseconds, int.MaxValue);
        var count = folder.Count;
        folder.CountChanged += (_, _) =>
        {
            if (folder.Count > count)
            {
                signal.Release();
            }

            count = folder.Count;
        };
        Log.Watching(logger, mailbox, folder.FullName);

        // Whatever arrived while nothing watched.
        signal.Release();
        while (!cancellationToken.IsCancellationRequested)
        {
            using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            done.CancelAfter(Renewal);
            await client.IdleAsync(done.Token, CancellationToken.None);
        }

        await client.DisconnectAsync(quit: true, CancellationToken.None);
    }
}
