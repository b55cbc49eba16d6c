using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Pop3;

/// <summary>
/// The Dovecot sessions the replay tests play (tests/MailIngest.Pop3.Tests/Resources/dovecot) are what the suite's
/// Dovecot says today: each is run again with <c>--protocol-log</c> and compared line by line, times and the port aside.
/// </summary>
public sealed class DovecotRecordingTests() : MailboxTest("user")
{
    private string LogPath => Path.Combine(Workspace.Root, "pop3.log");

    [Fact]
    public async Task Once_EmptyMailbox_SaysWhatTheRecordingSays()
    {
        Configure();

        var run = await MailIngestProcess.RunAsync(Workspace.Root, null, "once", "--config", Workspace.ConfigPath, "--protocol-log", LogPath);

        Assert.True(run.ExitCode == 0, run.ToString());
        await AssertRecordedAsync("empty-mailbox.log");
    }

    [Fact]
    public async Task Once_WrongPassword_SaysWhatTheRecordingSays()
    {
        Configure(new { Password = "wrong-Pa55" });

        var run = await MailIngestProcess.RunAsync(Workspace.Root, null, "once", "--config", Workspace.ConfigPath, "--protocol-log", LogPath);

        Assert.True(run.ExitCode == 1, run.ToString());
        await AssertRecordedAsync("auth-failed.log");
    }

    private async Task AssertRecordedAsync(string recording)
    {
        var now = await File.ReadAllTextAsync(LogPath);
        var recorded = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Recordings", "dovecot", recording));
        Assert.True(
            Conversation(now).SequenceEqual(Conversation(recorded)),
            $"Dovecot no longer says what Resources/dovecot/{recording} recorded; if that is Dovecot's change, copy this log over it:\n{now}");
    }

    /// <summary>Each line's tag and text ("C: CAPA"), without the time and mailbox; the connection note names a port of the day.</summary>
    private static IEnumerable<string> Conversation(string log) =>
        log.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 3)[2])
            .Where(line => !line.StartsWith("-- connected to ", StringComparison.Ordinal));
}
