using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Operations;

/// <summary>Without a terminal, a run with a backlog reports its progress in log lines.</summary>
public sealed class ProgressTests() : MailboxTest("progress")
{
    [Fact]
    public async Task Once_WithoutTerminal_LogsProgressWithCountsBytesRateAndTimeLeft()
    {
        for (var n = 1; n <= 3; n++)
        {
            await Dovecot.DeliverAsync(User, TestMail.Numbered(n));
        }

        Configure();

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"progress: 3/3 messages, \d+\.\d/\d+\.\d MB, \d+\.\d msg/s, about \d\d:\d\d:\d\d left", run.Stderr);
    }
}
