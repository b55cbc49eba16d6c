using System.Diagnostics;
using System.Text.RegularExpressions;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Resilience;

/// <summary>A wrong password is not retried: exit 1 within seconds, one login attempt, the password nowhere in the output.</summary>
public sealed partial class WrongPasswordTests() : MailboxTest("locked")
{
    private const string WrongPassword = "wrong-Pa55-e91c";

    [Fact]
    public async Task Once_WrongPassword_FailsFastWithOneAttemptAndNeverPrintsThePassword()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        Configure(new { Password = WrongPassword });

        var clock = Stopwatch.StartNew();
        var run = await Workspace.OnceAsync();
        clock.Stop();

        Assert.True(run.ExitCode == 1, run.ToString());
        // Dovecot delays each failed login by auth_failure_delay (2 s); retries would multiply it.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Contains("rejected the login", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, Workspace.Archive.LedgerText(User), StringComparison.Ordinal);
        Assert.Equal(1, PasswordMismatch().Count(await Dovecot.LogOnceLoginRefusedAsync("pop3")));
        Assert.Empty(Workspace.Manifests());
    }

    // auth_verbose logs one "Password mismatch" per failed attempt against the passwd-file.
    [GeneratedRegex("Password mismatch")]
    private static partial Regex PasswordMismatch();
}
