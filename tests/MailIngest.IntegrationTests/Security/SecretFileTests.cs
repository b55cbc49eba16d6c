using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Security;

/// <summary>A mailbox's password read from a PasswordFile (a mounted Kubernetes Secret) logs in; a missing file stops at start.</summary>
public sealed class SecretFileTests() : MailboxTest("secretfile")
{
    private string PasswordPath => Path.Combine(Workspace.Root, "password");

    [Fact]
    public async Task Once_PasswordFileWithTrailingNewline_StoresTheMail()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await File.WriteAllTextAsync(PasswordPath, Password + "\n");
        Configure(new { Password = "", PasswordFile = PasswordPath });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(Workspace.Manifests());
        Assert.DoesNotContain(Password, run.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_MissingPasswordFile_ExitsWith2NamingTheKey()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        Configure(new { Password = "", PasswordFile = PasswordPath });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"MailIngest:Mailboxes:{User}:PasswordFile: '{PasswordPath}' does not exist", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Login: user=", Dovecot.ReadLog(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_PasswordAndPasswordFile_ExitsWith2()
    {
        await File.WriteAllTextAsync(PasswordPath, Password);
        Configure(new { PasswordFile = PasswordPath });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"MailIngest:Mailboxes:{User}:Password and MailIngest:Mailboxes:{User}:PasswordFile are both set", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, run.ToString(), StringComparison.Ordinal);
    }
}
