using System.Text.Json.Nodes;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Operations;

/// <summary><c>mailingest plan</c> and <c>check</c> against a real Dovecot: what they say, and that they fetch and delete nothing.</summary>
public sealed class PlanAndCheckTests() : MailboxTest("planner")
{
    private Task<RunOutput> RunAsync(params string[] args) =>
        MailIngestProcess.RunAsync(Workspace.Root, null, [.. args, "--config", Workspace.ConfigPath]);

    private async Task DeliverAsync(int count)
    {
        for (var n = 1; n <= count; n++)
        {
            await Dovecot.DeliverAsync(User, TestMail.Numbered(n));
        }
    }

    [Fact]
    public async Task Plan_NewMailUnderABudget_SaysWhatOnceWouldFetchAndDeleteAndTouchesNothing()
    {
        await DeliverAsync(5);
        Configure(new { MaxMessagesPerRun = 3, DeleteAfterIngest = true });

        var plan = await RunAsync("plan", "--json");

        Assert.True(plan.ExitCode == 0, plan.ToString());
        var mailbox = Assert.Single(JsonNode.Parse(plan.Stdout)!.AsArray())!["plan"]!;
        Assert.Equal(5, mailbox["onServer"]!.GetValue<int>());
        Assert.Equal(5, mailbox["new"]!.GetValue<int>());
        Assert.Equal(3, mailbox["fetch"]!.GetValue<int>());
        Assert.Equal(2, mailbox["later"]!.GetValue<int>());
        Assert.Equal(3, mailbox["delete"]!.GetValue<int>());
        Assert.Equal(Enumerable.Range(1, 3).Sum(n => (long)TestMail.Numbered(n).Length), mailbox["fetchBytes"]!.GetValue<long>());
        var session = Assert.Single(await Dovecot.WaitForSessionsAsync(1, User));
        Assert.Equal(0, session.RetrMessages);
        Assert.Equal(5, Dovecot.MessageCount(User));
        Assert.Empty(Workspace.Manifests());

        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
        var after = await RunAsync("plan");

        Assert.Equal(0, after.ExitCode);
        Assert.Matches(@"planner\s+2\s+2\s+2\s+\d+\s+0\s+0\s+0\s+2\s+0", after.Stdout);
    }

    [Fact]
    public async Task Check_ReachableMailbox_ShowsCapabilitiesSizeAndWritableStore()
    {
        await DeliverAsync(2);
        Configure();

        var check = await RunAsync("check");

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("configuration: ok", check.Stdout, StringComparison.Ordinal);
        Assert.Contains($"planner: ok, logged in to 127.0.0.1:{Dovecot.Port} as planner WITHOUT TLS", check.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"capabilities:.*\bUIDL\b", check.Stdout);
        Assert.Matches(@"capabilities:.*\bPIPELINING\b", check.Stdout);
        Assert.Contains("mailbox:       2 messages", check.Stdout, StringComparison.Ordinal);
        Assert.Contains("storage: ok", check.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, Assert.Single(await Dovecot.WaitForSessionsAsync(1, User)).RetrMessages);
        Assert.Equal(2, Dovecot.MessageCount(User));
    }

    [Fact]
    public async Task Check_WrongPassword_ExitsOneSayingSoWithoutTheSecret()
    {
        Workspace.Configure(User, Dovecot.Host, Dovecot.Port, User, "not-the-password-91");

        var check = await RunAsync("check");

        Assert.Equal(1, check.ExitCode);
        Assert.Contains("planner: FAILED", check.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password-91", check.Stdout + check.Stderr, StringComparison.Ordinal);
    }
}
