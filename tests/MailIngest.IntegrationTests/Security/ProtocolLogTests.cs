using System.Text;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Security;

/// <summary>
/// <c>--protocol-log FILE</c> records the POP3 or IMAP conversation of a run with the password redacted in every form it
/// is sent, and the messages' contents left out.
/// </summary>
public sealed class ProtocolLogTests() : MailboxTest("protolog")
{
    private string LogPath => Path.Combine(Workspace.Root, "pop3.log");

    [Fact]
    public async Task Once_WithProtocolLog_RecordsTheConversationWithoutThePassword()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        Configure();

        var run = await MailIngestProcess.RunAsync(Workspace.Root, null, "once", "--config", Workspace.ConfigPath, "--protocol-log", LogPath);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(Workspace.Manifests());
        var log = await File.ReadAllTextAsync(LogPath);
        Assert.Contains($"{User} C: UIDL", log, StringComparison.Ordinal);
        Assert.Contains($"{User} C: RETR 1", log, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, log, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{User}\0{Password}")), log, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Password)), log, StringComparison.Ordinal);
        Assert.Equal("600", Storage.UnixModes.Of(LogPath));
    }

    [Fact]
    public async Task Once_ImapWithProtocolLog_RecordsTheConversationWithoutThePasswordOrTheMail()
    {
        await Dovecot.DeliverAsync(User, "INBOX", TestMail.Numbered(1));
        await Dovecot.DeliverAsync(User, "INBOX", TestMail.Numbered(2));
        ConfigureImap();

        var run = await MailIngestProcess.RunAsync(Workspace.Root, null, "once", "--config", Workspace.ConfigPath, "--protocol-log", LogPath);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, Workspace.Manifests().Count);
        var log = await File.ReadAllTextAsync(LogPath);
        Assert.Contains($"{User} -- connected to {Dovecot.Host}:{Dovecot.ImapPort}", log, StringComparison.Ordinal);
        Assert.Matches($"{User} C: A\\d+ AUTHENTICATE PLAIN", log);
        Assert.Matches($"{User} C: A\\d+ STATUS INBOX", log);
        Assert.Matches($"{User} C: A\\d+ UID FETCH .*BODY.PEEK\\[\\]", log);
        Assert.Matches($"{User} -- \\d+ octets of a literal \\(not logged\\)", log);
        Assert.Matches($"{User} S: A\\d+ OK .*\\r\\n.*{User} C: A\\d+ LOGOUT", log);
        Assert.DoesNotContain("Body of message", log, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, log, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{User}\0{Password}")), log, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Password)), log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_ProtocolLogInMissingFolder_ExitsWith2()
    {
        Configure();
        var path = Path.Combine(Workspace.Root, "missing", "pop3.log");

        var run = await MailIngestProcess.RunAsync(Workspace.Root, null, "once", "--config", Workspace.ConfigPath, "--protocol-log", path);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--protocol-log: the folder", run.Stderr, StringComparison.Ordinal);
    }
}
