using MailIngest.Configuration;
using MailIngest.Imap;
using MailIngest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailIngest.IntegrationTests.Imap;

/// <summary>IDLE against Dovecot: the watcher in process (renewed every second), and <c>mailingest run</c> with <c>Idle</c>.</summary>
public sealed class ImapIdleTests() : MailboxTest("idler")
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static ImapIdleWatcher Watcher() =>
        new(new ImapMailServer(NullLogger<ImapMailServer>.Instance, []), NullLogger<ImapIdleWatcher>.Instance, TimeProvider.System) { Renewal = TimeSpan.FromSeconds(1) };

    private MailboxOptions Options(int port, string password = Password) => new()
    {
        Protocol = MailProtocol.Imap,
        Host = Dovecot.Host,
        Port = port,
        Security = MailSecurity.None,
        Username = User,
        Password = password,
        Idle = true,
        RetryDelay = TimeSpan.Zero,
    };

    [Fact]
    public async Task Watch_NewMail_AsksForARunWithinSecondsAndRenewsIdleUntilStopped()
    {
        await using var proxy = CuttingProxy.Start(Dovecot.Host, Dovecot.ImapPort);
        var asked = 0;
        using var stop = new CancellationTokenSource();
        var watch = Watcher().WatchAsync(User, Options(proxy.Port), _ =>
        {
            Interlocked.Increment(ref asked);
            return Task.CompletedTask;
        }, stop.Token);

        // Once for whatever came while nothing watched, then once for the new message.
        await Eventually.HoldsAsync(() => Volatile.Read(ref asked) == 1, Patience, "a run is asked for when the watch starts");
        await Dovecot.DeliverAsync(User, "INBOX", TestMail.Numbered(1));
        await Eventually.HoldsAsync(() => Volatile.Read(ref asked) == 2, TimeSpan.FromSeconds(10), "a run is asked for within seconds of new mail");
        await Eventually.HoldsAsync(() => Count(proxy.ClientText, "IDLE") >= 3, Patience, "IDLE is renewed after each Renewal");
        await stop.CancelAsync();
        await watch.WaitAsync(Patience);

        Assert.Equal(1, proxy.ConnectionCount);
        Assert.True(Count(proxy.ClientText, "DONE") >= 2);
        Assert.Equal(2, Volatile.Read(ref asked));
        Assert.True(Dovecot.ImapSessions(User).Single().LoggedOut);
    }

    [Fact]
    public async Task Watch_RejectedLogin_EndsWithoutTryingAgain()
    {
        var asked = 0;

        var watch = Watcher().WatchAsync(User, Options(Dovecot.ImapPort, password: "wrong"), _ =>
        {
            Interlocked.Increment(ref asked);
            return Task.CompletedTask;
        }, CancellationToken.None);
        await watch.WaitAsync(Patience);
        var log = await Dovecot.LogOnceLoginRefusedAsync("imap");

        Assert.Equal(0, asked);
        Assert.Equal(1, log.Split('\n').Count(line => DovecotServer.IsRefusedLogin(line, "imap")));
    }

    [Fact]
    public async Task Run_IdleMailbox_StoresNewMailWithinSecondsWhileTheScheduleIsAnHourAway()
    {
        ConfigureImap(new { Idle = true, Schedule = "0 0 0 1 1 ?" });
        var run = Workspace.Start(null, "run", "--config", Workspace.ConfigPath);
        await Eventually.HoldsAsync(() => run.Stderr.Contains("watching INBOX with IDLE", StringComparison.Ordinal), Patience, "the IDLE connection is up");

        await Dovecot.DeliverAsync(User, "INBOX", TestMail.Numbered(1));
        await Eventually.HoldsAsync(() => Workspace.Manifests().Count == 1, TimeSpan.FromSeconds(15), "the new message is stored within seconds");
        await Dovecot.DeliverAsync(User, "INBOX", TestMail.Numbered(2));
        await Eventually.HoldsAsync(() => Workspace.Manifests().Count == 2, TimeSpan.FromSeconds(15), "and the next one too");
        run.Terminate();
        var stopped = await run.WaitAsync(TimeSpan.FromSeconds(40));

        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Equal(2, Workspace.Ledger(User)!.Count);
    }

    private static int Count(string transcript, string command) =>
        transcript.Split("\r\n").Count(line => line == command || line.EndsWith(" " + command, StringComparison.Ordinal));
}
