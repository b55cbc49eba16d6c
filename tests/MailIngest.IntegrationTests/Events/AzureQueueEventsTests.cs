using System.Text.Json;
using Azure.Storage.Queues;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Events;

/// <summary>Events into a real Azure Storage queue (Azurite's queue service), read back as a consumer reads them (docs/events.md).</summary>
public sealed class AzureQueueEventsTests() : MailboxTest("queued")
{
    private const string QueueName = "mail-events";

    private AzuriteServer _queues = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _queues = await AzuriteServer.StartAsync(AzuriteService.Queue);
    }

    public override Task DisposeAsync() => Teardown.DisposeAllAsync(_queues, Workspace, Dovecot);

    private void ConfigureQueue() =>
        Configure(new { DeleteAfterIngest = true }, ingest: new { Events = new { Sink = "AzureQueue", _queues.ConnectionString, QueueName } });

    /// <summary>Every message in the queue, taken off it, as the consumer in docs/events.md takes them.</summary>
    private async Task<List<(CloudEvent Event, int Bytes)>> TakeAllAsync()
    {
        var queue = new QueueClient(_queues.ConnectionString, QueueName);
        var formatter = new JsonEventFormatter();
        var taken = new List<(CloudEvent, int)>();
        while ((await queue.ReceiveMessagesAsync(maxMessages: 32)).Value is { Length: > 0 } batch)
        {
            foreach (var message in batch)
            {
                var body = message.Body.ToArray();
                taken.Add((formatter.DecodeStructuredModeMessage(body, null, null), body.Length));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }

        return taken;
    }

    private HashSet<string> StoredKeys() => Workspace.Manifests().Select(m => m.Json["key"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public async Task Once_AzureQueue_SendsOneCloudEventPerStoredMessageIncludingOneOf500AttachmentsWithin64KiB()
    {
        for (var n = 1; n <= 3; n++)
        {
            await Dovecot.DeliverAsync(User, TestMail.Numbered(n));
        }

        await Dovecot.DeliverAsync(User, TestMail.WithAttachments("500 attachments", 500));
        ConfigureQueue();

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("events delivered 4, pending 0", run.Stdout, StringComparison.Ordinal);
        var taken = await TakeAllAsync();
        Assert.Equal(StoredKeys(), taken.Select(t => t.Event.Id!).ToHashSet(StringComparer.Ordinal));
        Assert.All(taken, t => Assert.Equal("mailingest.message.stored", t.Event.Type));
        var (big, bytes) = Assert.Single(taken, t => ((JsonElement)t.Event.Data!).GetProperty("attachmentCount").GetInt32() == 500);
        Assert.InRange(bytes, 1, 64 * 1024);
        var data = (JsonElement)big.Data!;
        Assert.Equal(500, data.GetProperty("attachments").GetArrayLength() + data.GetProperty("attachmentsOmitted").GetInt32());
        Assert.Equal(500, Workspace.Manifests().Single(m => m.Attachments.Count == 500).Attachments.Count);
    }

    [Fact]
    public async Task Once_QueueServiceDown_IngestsAsUsualAndTheNextRunSendsTheEvents()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await Dovecot.DeliverAsync(User, TestMail.Numbered(2));
        ConfigureQueue();
        await _queues.StopAsync();

        var down = await Workspace.OnceAsync();

        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Equal(0, Dovecot.MessageCount(User));
        Assert.Contains("events delivered 0, pending 2", down.Stdout, StringComparison.Ordinal);

        await _queues.StartAsync(CancellationToken.None);
        var next = await Workspace.OnceAsync();

        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Contains("events delivered 2, pending 0", next.Stdout, StringComparison.Ordinal);
        Assert.Equal(StoredKeys(), (await TakeAllAsync()).Select(t => t.Event.Id!).ToHashSet(StringComparer.Ordinal));
    }
}
