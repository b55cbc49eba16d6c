using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Events;

/// <summary>
/// Events into a signed webhook from a real delete-mode run (docs/events.md): one per stored message, at least once,
/// whatever the webhook answers and wherever the process is killed; ingestion never waits for it.
/// </summary>
public abstract class WebhookEventsTests(StoreKind store) : FaultedMailboxTest("events", store)
{
    private WebhookReceiver _webhook = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _webhook = new WebhookReceiver(Workspace.Root);
    }

    public override Task DisposeAsync() => Teardown.DisposeAllAsync(_webhook, Workspace, Dovecot);

    private void ConfigureDeleteMode(object? events = null) =>
        Configure(new { DeleteAfterIngest = true, LedgerFlushEvery = 2 }, ingest: _webhook.Settings(events));

    private HashSet<string> StoredKeys() => Workspace.Manifests().Select(m => m.Json["key"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

    private async Task<RunOutput> OnceOkAsync()
    {
        var run = await Workspace.OnceAsync();
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    [Fact]
    public async Task Once_Webhook_DeliversOneSignedCloudEventPerStoredMessage()
    {
        ConfigureDeleteMode();

        var run = await OnceOkAsync();

        AssertEachMessageStoredOnceAndMailboxEmpty();
        Assert.Empty(_webhook.Rejected);
        Assert.Equal(Messages, _webhook.Accepted.Count);
        Assert.Equal(StoredKeys(), _webhook.AcceptedIds);
        var manifests = Workspace.Manifests().ToDictionary(m => m.Json["key"]!.GetValue<string>());
        Assert.All(_webhook.Accepted, e =>
        {
            Assert.Equal("1.0", e.GetProperty("specversion").GetString());
            Assert.Equal("mailingest.message.stored", e.GetProperty("type").GetString());
            Assert.Equal($"mailingest/{User}", e.GetProperty("source").GetString());
            var manifest = manifests[e.GetProperty("id").GetString()!];
            Assert.Equal($"{manifest.Folder}/manifest.json", e.GetProperty("subject").GetString());
            Assert.Equal(manifest.Json["uidl"]!.GetValue<string>(), e.GetProperty("data").GetProperty("uidl").GetString());
            Assert.Equal(manifest.Raw.Length, e.GetProperty("data").GetProperty("size").GetInt64());
        });
        Assert.Contains($"events delivered {Messages}, pending 0", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_WebhookAnswering500ThenOk_IngestsAndDeletesAsUsualAndDeliversEverythingLater()
    {
        ConfigureDeleteMode();
        _webhook.Status = _ => 500;

        var down = await OnceOkAsync();

        AssertEachMessageStoredOnceAndMailboxEmpty();
        Assert.Empty(_webhook.Accepted);
        Assert.Contains("events delivered 0, pending 6", down.Stdout, StringComparison.Ordinal);
        var status = await Workspace.RunVerbAsync("status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Matches(@$"{User} .* 6 +\d+ s +0\s*$", status.Stdout.Split('\n').Single(l => l.StartsWith(User + " ", StringComparison.Ordinal)));

        _webhook.Status = _ => 200;
        var later = await OnceOkAsync();

        Assert.Contains("new 0, stored 0", later.Stdout, StringComparison.Ordinal);
        Assert.Contains("events delivered 6, pending 0", later.Stdout, StringComparison.Ordinal);
        Assert.Equal(StoredKeys(), _webhook.AcceptedIds);
        Assert.Empty(Workspace.Ledger(User)!.PendingEvents());
    }

    // While storing (a manifest written, its entry and event not recorded), after recording (ledger durable, before any delivery),
    // before QUIT, and in the middle of the delivery (some sent, none recorded as sent).
    [Theory]
    [InlineData("ManifestStored:3")]
    [InlineData("LedgerFlushing:1")]
    [InlineData("Committing:1")]
    [InlineData("Delivering:1")]
    [InlineData("Delivering:4")]
    public async Task Once_KilledAtStep_RerunDeliversEveryStoredMessagesEventAtLeastOnce(string faultPoint)
    {
        ConfigureDeleteMode();

        var crashed = await Workspace.OnceAsync(new Dictionary<string, string> { ["MAILINGEST_FAULT_INJECTION"] = faultPoint });
        Assert.True(crashed.Killed, crashed.ToString());
        await Workspace.Archive.EndOrphanedLockAsync(User);
        await OnceOkAsync();

        AssertEachMessageStoredOnceAndMailboxEmpty();
        Assert.Empty(_webhook.Rejected);
        Assert.Equal(StoredKeys(), _webhook.AcceptedIds);
        Assert.Empty(Workspace.Ledger(User)!.PendingEvents());
    }

    [Fact]
    public async Task Once_WebhookRefusing_KeepsDeadLettersThatEventsListsAndResendDelivers()
    {
        ConfigureDeleteMode();
        _webhook.Status = _ => 404;

        var refused = await OnceOkAsync();

        Assert.Contains("refused 6", refused.Stdout, StringComparison.Ordinal);
        var listed = await Workspace.RunVerbAsync("events", "--mailbox", User);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains($"{User}: 0 events waiting, 6 dead letters", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("answered 404", listed.Stdout, StringComparison.Ordinal);
        Assert.Equal(Messages, Workspace.Ledger(User)!.DeadLetters().Count);

        _webhook.Status = _ => 200;
        var resent = await Workspace.RunVerbAsync("events", "resend", "--mailbox", User);

        Assert.True(resent.ExitCode == 0, resent.ToString());
        Assert.Contains("sent again 6 dead letters; events delivered 6, pending 0", resent.Stdout, StringComparison.Ordinal);
        Assert.Equal(StoredKeys(), _webhook.AcceptedIds);
        Assert.Empty(Workspace.Ledger(User)!.DeadLetters());
    }

    [Fact]
    public async Task Run_WebhookDownDuringTheScheduledRun_DeliversBetweenRuns()
    {
        // One scheduled run, a few seconds from now; the next is a minute later, long after the test ends.
        var second = (DateTime.UtcNow.Second + 5) % 60;
        _webhook.Status = _ => 503;
        Configure(new { Schedule = $"{second} * * * * ?" }, ingest: _webhook.Settings(new { RedeliveryInterval = "00:00:01" }));
        var run = Workspace.Start(null, "run", "--config", Workspace.ConfigPath);

        await Eventually.HoldsAsync(() => Workspace.Ledger(User)?.PendingEvents().Count == Messages, TimeSpan.FromSeconds(45), "the run stored and queued every message");
        _webhook.Status = _ => 200;
        await Eventually.HoldsAsync(() => _webhook.AcceptedIds.Count == Messages, TimeSpan.FromSeconds(20), "the events are delivered between runs");

        run.Terminate();
        var stopped = await run.WaitAsync(TimeSpan.FromSeconds(40));
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Equal(StoredKeys(), _webhook.AcceptedIds);
        Assert.Empty(Workspace.Ledger(User)!.PendingEvents());
    }
}

public sealed class WebhookEventsOnFileSystemTests() : WebhookEventsTests(StoreKind.FileSystem);

public sealed class WebhookEventsOnAzureBlobTests() : WebhookEventsTests(StoreKind.AzureBlob);
