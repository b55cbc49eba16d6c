using System.Globalization;
using System.Text.Json.Nodes;
using MailIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MailIngest.IntegrationTests.Operations;

/// <summary>Two <c>mailingest run</c> processes sharing a Quartz schedule on a real PostgreSQL.</summary>
public sealed class ClusterTests(ITestOutputHelper output) : MailboxTest("cluster")
{
    private const int Messages = 40;
    private PostgresServer _postgres = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _postgres = await PostgresServer.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        try
        {
            // The workspace first: it kills the run processes using the database.
            await base.DisposeAsync();
        }
        finally
        {
            await Teardown.DisposeAllAsync(_postgres);
        }
    }

    [Fact]
    public async Task Run_TwoClusteredProcesses_NeverOverlapAndTheSurvivorTakesOver()
    {
        // The connection string comes from a file, as from a mounted Kubernetes Secret.
        var secret = Path.Combine(Workspace.Root, "postgres-connection");
        await File.WriteAllTextAsync(secret, _postgres.ConnectionString + "\n");
        Configure(
            new { Schedule = "0/2 * * * * ?", DeleteAfterIngest = true },
            new { Scheduler = new { Clustered = true, ConnectionStringFile = secret } });
        string[] args = ["run", "--config", Workspace.ConfigPath, "--log-format", "json"];
        var first = Workspace.Start(null, args);
        var second = Workspace.Start(null, args);

        // Mail keeps arriving every second and a half for a minute; halfway, one process dies.
        DateTimeOffset? killedAt = null;
        for (var n = 1; n <= Messages; n++)
        {
            await Dovecot.DeliverAsync(User, TestMail.Numbered(n));
            if (n == Messages / 2)
            {
                await Eventually.HoldsAsync(() => Workspace.Manifests().Count > 0, TimeSpan.FromSeconds(60), "the cluster ingests");
                first.KillHard();
                killedAt = DateTimeOffset.UtcNow;
            }

            await Task.Delay(1500);
        }

        await Eventually.HoldsAsync(
            () => Workspace.Manifests().Count == Messages && Dovecot.MessageCount(User) == 0,
            TimeSpan.FromSeconds(90),
            "the surviving process stores and deletes every message");
        second.Terminate();
        var stopped = await second.WaitAsync(TimeSpan.FromSeconds(40));
        await first.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Equal(Messages, Workspace.Manifests().Select(m => m.Uidl).Distinct().Count());
        var runs = Runs(first.Stderr).Concat(Runs(stopped.Stderr)).OrderBy(r => r.Start).ToList();
        output.WriteLine($"{runs.Count} runs: {Runs(first.Stderr).Count()} by the killed process, {Runs(stopped.Stderr).Count()} by the survivor");
        Assert.True(runs.Count >= 10, $"only {runs.Count} scheduled runs were logged");
        Assert.Contains(Runs(stopped.Stderr), run => run.Start > killedAt);
        for (var i = 1; i < runs.Count; i++)
        {
            Assert.True(runs[i].Start >= runs[i - 1].End, $"run at {runs[i].Start:O} overlaps the one that ended at {runs[i - 1].End:O}");
        }
    }

    /// <summary>Each completed run's start and end, from the JSON log lines of "run started" (500) and "run ended" (504).</summary>
    private static IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Runs(string log)
    {
        DateTimeOffset? start = null;
        foreach (var line in log.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }

            var entry = JsonNode.Parse(line)!;
            var time = DateTimeOffset.Parse(entry["Timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            switch (entry["EventId"]!.GetValue<int>())
            {
                case 500:
                    start = time;
                    break;
                case 504 when start is { } started:
                    yield return (started, time);
                    start = null;
                    break;
            }
        }
    }
}
