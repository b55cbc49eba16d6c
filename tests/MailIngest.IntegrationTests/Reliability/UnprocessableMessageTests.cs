using System.Text.Json.Nodes;
using MailIngest.IntegrationTests.Infrastructure;
using MailIngest.Ledger;

namespace MailIngest.IntegrationTests.Reliability;

/// <summary>
/// Issue #12, item 3: one message the process cannot handle must not block the mailbox. Every run here is killed
/// (SIGKILL, as the OOM killer does) when it starts retrieving that message; the attempt record written before its
/// retrieval lets the next runs count the deaths, fetch it alone, and after MaxAttempts give it up: recorded in
/// quarantine/ with its headers, left on the server, never deleted, and passed by. The messages behind it are stored.
/// </summary>
public abstract class UnprocessableMessageTests(StoreKind store) : MailboxTest("poison", store)
{
    private const int Behind = 30;

    private static Dictionary<string, string> KillAt(string uidl) =>
        new() { ["MAILINGEST_FAULT_INJECTION"] = $"Retrieving:id={uidl}" };

    [Fact]
    public async Task Once_MessageThatKillsEveryRun_IsGivenUpAfterMaxAttemptsAndTheMessagesBehindItAreStored()
    {
        // With the Maildir file name as UIDL, the test knows the poison message's UIDL; its old time stamp puts it first.
        const string poison = "1700000000.M1P1.poison";
        await Dovecot.RestartAsync(uidlFormat: "%f");
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1, paddingBytes: 100_000), poison);
        for (var n = 2; n <= Behind + 1; n++)
        {
            await Dovecot.DeliverAsync(User, TestMail.Numbered(n));
        }

        Configure(new { DeleteAfterIngest = true, MaxAttempts = 3 });

        // The first run dies with the whole first window in flight, the next two with the poison message alone.
        for (var death = 1; death <= 3; death++)
        {
            var killed = await Workspace.OnceAsync(KillAt(poison));
            Assert.True(killed.Killed, $"death {death}: {killed}");
            await Workspace.Archive.EndOrphanedLockAsync(User);
        }

        var status = await Workspace.RunVerbAsync("status", "--json");
        Assert.Contains("\"retrying\": 1", status.Stdout, StringComparison.Ordinal);

        var run = await Workspace.OnceAsync(KillAt(poison));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("gave up on 1 after MaxAttempts", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(Behind, Workspace.Manifests().Count);
        Assert.Equal(1, Dovecot.MessageCount(User));
        var record = Assert.Single(QuarantineRecords());
        Assert.Equal("unprocessable", record["reason"]!.GetValue<string>());
        Assert.Equal(3, record["attempts"]!.GetValue<int>());
        Assert.Contains("Subject: Test message 1", record["headers"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(EntryState.Failed, Workspace.Ledger(User)!.Find(poison)!.State);

        var plan = await Workspace.RunVerbAsync("plan");
        Assert.Contains("1 unprocessable messages are held back on the server", plan.Stdout, StringComparison.Ordinal);
        status = await Workspace.RunVerbAsync("status", "--json");
        Assert.Contains("\"unprocessable\": 1", status.Stdout, StringComparison.Ordinal);

        // Passed by from now on: the next run does not touch it, even with the fault still armed.
        Assert.Equal(0, (await Workspace.OnceAsync(KillAt(poison))).ExitCode);

        // Once its cause is fixed, retry lets the next run fetch and store it.
        var retry = await Workspace.RunVerbAsync("retry", "--mailbox", User, poison);
        Assert.True(retry.ExitCode == 0, retry.ToString());
        var fixedRun = await Workspace.OnceAsync();
        Assert.True(fixedRun.ExitCode == 0, fixedRun.ToString());
        Assert.Equal(Behind + 1, Workspace.Manifests().Count);
        Assert.Equal(0, Dovecot.MessageCount(User));
        Assert.Empty(QuarantineRecords());
    }

    [Fact]
    public async Task Once_MessageOverMaxMessageSize_IsRecordedNotFetchedNeverDeletedAndRetriedAfterTheLimitIsRaised()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await Dovecot.DeliverAsync(User, TestMail.Numbered(2, paddingBytes: 200_000));
        await Dovecot.DeliverAsync(User, TestMail.Numbered(3));
        Configure(new { DeleteAfterIngest = true, MaxMessageSize = 100_000 });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("skipped 1 over MaxMessageSize", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, Workspace.Manifests().Count);
        Assert.Equal(1, Dovecot.MessageCount(User));
        var session = (await Dovecot.WaitForSessionsAsync(1, User))[0];
        Assert.Equal(2, session.RetrMessages);
        var record = Assert.Single(QuarantineRecords());
        Assert.Equal("tooLarge", record["reason"]!.GetValue<string>());
        Assert.Contains("Subject: Test message 2", record["headers"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
        Assert.Equal(1, Dovecot.MessageCount(User));

        Configure(new { DeleteAfterIngest = true, MaxMessageSize = 0 });
        Assert.Equal(0, (await Workspace.RunVerbAsync("retry", "--mailbox", User)).ExitCode);
        var after = await Workspace.OnceAsync();

        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Equal(3, Workspace.Manifests().Count);
        Assert.Equal(0, Dovecot.MessageCount(User));
    }

    private IReadOnlyList<JsonObject> QuarantineRecords() =>
        [.. Workspace.Archive.List("quarantine/").Where(p => p.EndsWith("/error.json", StringComparison.Ordinal))
            .Select(p => JsonNode.Parse(Workspace.Archive.Read(p)!)!.AsObject())];
}

public sealed class UnprocessableMessageOnFileSystemTests() : UnprocessableMessageTests(StoreKind.FileSystem);

public sealed class UnprocessableMessageOnAzureBlobTests() : UnprocessableMessageTests(StoreKind.AzureBlob);
