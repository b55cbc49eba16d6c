using System.Text.Json.Nodes;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Operations;

/// <summary><c>mailingest status</c> after real runs against Dovecot: the table, the JSON, and the exit code.</summary>
public sealed class StatusTests() : MailboxTest("status")
{
    private Task<RunOutput> StatusAsync(params string[] extra) =>
        MailIngestProcess.RunAsync(Workspace.Root, null, ["status", "--config", Workspace.ConfigPath, .. extra]);

    [Fact]
    public async Task Status_BeforeAnyRun_SaysNeverAndExitsZero()
    {
        Configure();

        var status = await StatusAsync();

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Matches(@"status\s+never\s", status.Stdout);
    }

    [Fact]
    public async Task Status_AfterASuccessfulRun_ShowsCountsInTableAndJson()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await Dovecot.DeliverAsync(User, TestMail.Numbered(2));
        Configure();
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);

        var table = await StatusAsync();
        var json = await StatusAsync("--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"status\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+\.\d s\s+succeeded\s+2\s", table.Stdout);
        var mailbox = Assert.Single(JsonNode.Parse(json.Stdout)!.AsArray())!;
        Assert.Equal("status", mailbox["mailbox"]!.GetValue<string>());
        Assert.Equal(2, mailbox["ledgerEntries"]!.GetValue<int>());
        Assert.Equal(2, mailbox["totals"]!["messagesStored"]!.GetValue<long>());
        Assert.Equal("succeeded", mailbox["lastRun"]!["outcome"]!.GetValue<string>());
        Assert.NotNull(mailbox["highWaterMark"]!.GetValue<string>());
    }

    [Fact]
    public async Task Status_AfterAFailedRun_ShowsTheErrorAndExitsOne()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        Configure(new { RetryAttempts = 0 });
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
        await Dovecot.StopAsync();
        Assert.Equal(1, (await Workspace.OnceAsync()).ExitCode);

        var status = await StatusAsync();

        Assert.Equal(1, status.ExitCode);
        Assert.Contains("failed", status.Stdout, StringComparison.Ordinal);
        Assert.Contains($"status: cannot connect to 127.0.0.1:{Dovecot.Port}", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_WhileARunHoldsTheMailbox_NamesTheHolder()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await using var proxy = CuttingProxy.Start(Dovecot.Host, Dovecot.Port);
        proxy.Fault = ProxyFault.AtClientText("RETR").Stalling();
        Configure(new { RetryAttempts = 0, Timeout = "00:00:05" }, port: proxy.Port);
        var run = Workspace.StartOnce();
        await proxy.FirstFault.WaitAsync(TimeSpan.FromSeconds(30));

        var during = await StatusAsync("--json");
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        var after = await StatusAsync("--json");

        var holder = JsonNode.Parse(during.Stdout)!.AsArray()[0]!["lockHolder"]!.GetValue<string>();
        Assert.StartsWith($"{Environment.MachineName} pid {run.Id} since ", holder, StringComparison.Ordinal);
        Assert.Null(JsonNode.Parse(after.Stdout)!.AsArray()[0]!["lockHolder"]);
    }
}
