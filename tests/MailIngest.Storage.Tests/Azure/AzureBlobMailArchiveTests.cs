using System.Diagnostics;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using MailIngest.Archive;
using MailIngest.IntegrationTests.Infrastructure;
using MailIngest.IntegrationTests.Storage;
using MailIngest.Storage.Azure;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailIngest.Storage.Tests.Azure;

/// <summary>The AzureBlob store against a real Azurite: content, Content-Type and metadata, conditional writes, the lease, failures.</summary>
[Trait(TestLane.Category, TestLane.Integration)]
public sealed class AzureBlobMailArchiveTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private static readonly ArchiveObjectInfo Ledger = new("application/json", ArchiveObjectKind.Ledger, "support");
    private static readonly ArchiveObjectInfo Raw = new("message/rfc822", ArchiveObjectKind.Raw, "support") { Uidl = "0001.abc" };

    // A container per test, so that tests sharing the server never see each other's blobs.
    private readonly string _containerName = "t" + Guid.NewGuid().ToString("N");
    private readonly string _spool = Path.Combine(Path.GetTempPath(), "mailingest-spool-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_spool))
        {
            Directory.Delete(_spool, recursive: true);
        }
    }

    private StorageOptions Options(string? connectionString = null) => new()
    {
        Provider = StorageProvider.AzureBlob,
        ConnectionString = connectionString ?? azurite.Server.ConnectionString,
        Container = _containerName,
        LeaseDuration = TimeSpan.FromSeconds(15),
        NetworkTimeout = TimeSpan.FromSeconds(1),
        MaxRetries = 1,
        RetryDelay = TimeSpan.FromMilliseconds(100),
        SpoolPath = _spool,
    };

    /// <param name="options">The settings; <see cref="Options"/> when null.</param>
    /// <param name="fault">A fault between the store and Azurite, such as <see cref="LostAnswers"/>.</param>
    private AzureBlobMailArchive Archive(StorageOptions? options = null, HttpPipelinePolicy? fault = null)
    {
        options ??= Options();
        var clientOptions = AzureBlobClients.ClientOptions(options);
        if (fault is not null)
        {
            clientOptions.AddPolicy(fault, HttpPipelinePosition.PerRetry);
        }

        return new AzureBlobMailArchive(
            AzureBlobClients.CreateContainerClient(options, clientOptions), options, TimeProvider.System, NullLogger<AzureBlobMailArchive>.Instance);
    }

    /// <summary>A file in the mailbox's spool folder, as the core leaves one for <see cref="AzureBlobMailArchive.StoreFileAsync"/>.</summary>
    private static string Spooled(AzureBlobMailArchive archive, byte[] content)
    {
        var folder = Path.Combine(archive.SpoolFolder, "support");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(file, content);
        return file;
    }

    private BlobContainerClient Container => azurite.Server.Container(_containerName);

    private static Func<Stream, CancellationToken, Task> Bytes(byte[] content) =>
        (stream, ct) => stream.WriteAsync(content, ct).AsTask();

    private static Func<Stream, CancellationToken, Task> Text(string text) => Bytes(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task ReadAsync_Missing_ReturnsNullAndCreatesTheContainer()
    {
        Assert.False(await Container.ExistsAsync());

        Assert.Null(await Archive().ReadAsync("state/nobody.json", default));

        Assert.True(await Container.ExistsAsync());
    }

    [Fact]
    public async Task WriteAsync_MessageObject_StoresContentWithContentTypeAndMetadata()
    {
        var info = new ArchiveObjectInfo("message/rfc822", ArchiveObjectKind.Raw, "support") { Uidl = "0001.abc", MessageId = "größe@example.com" };

        await Archive().WriteAsync("messages/support/2026/03/02/k/message.eml", info, Text("Subject: x\r\n\r\nbody"), WriteCondition.None, default);

        var blob = Container.GetBlobClient("messages/support/2026/03/02/k/message.eml");
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal("message/rfc822", properties.ContentType);
        Assert.Equal("raw", properties.Metadata["kind"]);
        Assert.Equal("support", properties.Metadata["mailbox"]);
        Assert.Equal("0001.abc", properties.Metadata["uidl"]);
        // Metadata is HTTP header text: other characters arrive percent-encoded.
        Assert.Equal(Uri.EscapeDataString("größe@example.com"), properties.Metadata["messageid"]);
        Assert.Equal("Subject: x\r\n\r\nbody", (await blob.DownloadContentAsync()).Value.Content.ToString());
    }

    [Theory]
    [InlineData("a%41b")]
    [InlineData("100%")]
    [InlineData("größe@example.com")]
    [InlineData("<plain@example.com>")]
    public async Task WriteAsync_MetadataValue_ReadsBackExactlyWhateverItHolds(string messageId)
    {
        var info = new ArchiveObjectInfo("message/rfc822", ArchiveObjectKind.Raw, "support") { Uidl = messageId, MessageId = messageId };

        await Archive().WriteAsync("m/message.eml", info, Text("x"), WriteCondition.None, default);

        var metadata = (await Container.GetBlobClient("m/message.eml").GetPropertiesAsync()).Value.Metadata;
        Assert.Equal(messageId, BlobMetadata.Decode(metadata["uidl"]));
        Assert.Equal(messageId, BlobMetadata.Decode(metadata["messageid"]));
    }

    [Theory]
    [InlineData(10, false)]
    [InlineData(10, true)]
    [InlineData(BlockUploadStream.BlockSize + 10, true)]
    public async Task WriteAsync_CommitAnswerLostAndRetriedBySdk_IsTakenAsTheSuccessItWas(int size, bool replacing)
    {
        var content = new byte[size];
        Random.Shared.NextBytes(content);
        var existing = replacing ? await Archive().WriteAsync("state/s.json", Ledger, Text("old"), WriteCondition.MustNotExist, default) : null;
        // The commit is a Put Blob for content that fits in one block, a Put Block List for more.
        var lost = new LostAnswers(message => message.Request.Method == RequestMethod.Put &&
            message.Request.Uri.Path.EndsWith("/state/s.json", StringComparison.Ordinal) &&
            (message.Request.Uri.Query.Contains("comp=blocklist", StringComparison.Ordinal) || !message.Request.Uri.Query.Contains("comp=", StringComparison.Ordinal)));

        var version = await Archive(fault: lost).WriteAsync("state/s.json", Ledger, Bytes(content), WriteCondition.Matching(existing), default);

        Assert.Equal(1, lost.Lost);
        var stored = await Archive().ReadAsync("state/s.json", default);
        Assert.Equal(content, stored!.Content.ToArray());
        Assert.Equal(stored.Version, version);
    }

    [Fact]
    public async Task WriteAsync_LargerThanABlock_IsStagedInBlocksAndCommittedWhole()
    {
        var content = new byte[BlockUploadStream.BlockSize * 2 + 12345];
        Random.Shared.NextBytes(content);

        await Archive().WriteAsync("messages/big/message.eml", Ledger with { Kind = ArchiveObjectKind.Raw }, Bytes(content), WriteCondition.None, default);

        var blocks = (await Container.GetBlockBlobClient("messages/big/message.eml").GetBlockListAsync()).Value;
        Assert.Equal(3, blocks.CommittedBlocks.Count());
        Assert.Equal(content, (await Archive().ReadAsync("messages/big/message.eml", default))!.Content.ToArray());
    }

    [Fact]
    public async Task WriteAsync_ContentThrowsAfterABlock_PublishesNothingAndKeepsTheOldContent()
    {
        var archive = Archive();
        await archive.WriteAsync("x/y.txt", Ledger, Text("old"), WriteCondition.None, default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => archive.WriteAsync(
            "x/y.txt",
            Ledger,
            async (stream, ct) =>
            {
                await stream.WriteAsync(new byte[BlockUploadStream.BlockSize + 1], ct);
                throw new InvalidOperationException("boom");
            },
            WriteCondition.None,
            default));

        Assert.Equal("old", Encoding.UTF8.GetString((await archive.ReadAsync("x/y.txt", default))!.Content.Span));
    }

    [Fact]
    public async Task WriteAsync_ConditionMatchesReadVersion_Succeeds()
    {
        var archive = Archive();
        var first = await archive.WriteAsync("state/s.json", Ledger, Text("1"), WriteCondition.Matching(null), default);
        var read = await archive.ReadAsync("state/s.json", default);

        var second = await archive.WriteAsync("state/s.json", Ledger, Text("2"), WriteCondition.Matching(read!.Version), default);

        Assert.Equal(first, read.Version);
        Assert.NotEqual(first, second);
        Assert.Equal(second, (await archive.ReadAsync("state/s.json", default))!.Version);
    }

    [Fact]
    public async Task WriteAsync_StaleVersion_ThrowsConflictAndKeepsTheNewer()
    {
        var archive = Archive();
        var v1 = await archive.WriteAsync("state/s.json", Ledger, Text("1"), WriteCondition.Matching(null), default);
        await Archive().WriteAsync("state/s.json", Ledger, Text("2"), WriteCondition.Matching(v1), default);

        await Assert.ThrowsAsync<ArchiveConflictException>(() =>
            archive.WriteAsync("state/s.json", Ledger, Text("3"), WriteCondition.Matching(v1), default));
        await Assert.ThrowsAsync<ArchiveConflictException>(() =>
            archive.WriteAsync("state/s.json", Ledger, Text("3"), WriteCondition.Matching(null), default));

        Assert.Equal("2", Encoding.UTF8.GetString((await archive.ReadAsync("state/s.json", default))!.Content.Span));
    }

    [Fact]
    public async Task TryLockMailboxAsync_HeldByAnother_ReturnsNullUntilReleased()
    {
        var other = Archive();
        var first = await Archive().TryLockMailboxAsync("support", default);

        Assert.NotNull(first);
        Assert.Null(await other.TryLockMailboxAsync("support", default));
        await using (var sales = await other.TryLockMailboxAsync("sales", default))
        {
            Assert.NotNull(sales);
        }

        await first.DisposeAsync();
        await using var second = await other.TryLockMailboxAsync("support", default);
        Assert.NotNull(second);
        var lockBlob = (await Container.GetBlobClient("state/support.json.lock").GetPropertiesAsync()).Value;
        Assert.Equal(LeaseState.Leased, lockBlob.LeaseState);
        Assert.Equal("lock", lockBlob.Metadata["kind"]);
    }

    [Fact]
    public async Task LockHolderAsync_NamesTheLeaseHolderWhileItHoldsTheLease()
    {
        var archive = Archive();
        Assert.Null(await archive.LockHolderAsync("holder", default));

        var held = await archive.TryLockMailboxAsync("holder", default);
        var holder = await Archive().LockHolderAsync("holder", default);
        await held!.DisposeAsync();

        Assert.StartsWith($"{Environment.MachineName} pid {Environment.ProcessId} since ", holder, StringComparison.Ordinal);
        Assert.Null(await archive.LockHolderAsync("holder", default));
    }

    [Fact]
    public async Task TryLockMailboxAsync_HolderCannotBeNamed_FailsAndReleasesTheLease()
    {
        var archive = Archive(fault: new LostAnswers(LostAnswers.Operation("metadata"), count: int.MaxValue));

        await Assert.ThrowsAsync<ArchiveUnavailableException>(() => archive.TryLockMailboxAsync("support", default));

        await using var next = await Archive().TryLockMailboxAsync("support", default);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task TryLockMailboxAsync_HeldLongerThanTheLeaseDuration_IsRenewedAndStaysExclusive()
    {
        await using var held = await Archive().TryLockMailboxAsync("support", default);
        Assert.NotNull(held);

        await Task.Delay(Options().LeaseDuration + TimeSpan.FromSeconds(3));

        Assert.Null(await Archive().TryLockMailboxAsync("support", default));
        Assert.False(held.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task TryLockMailboxAsync_LeaseBrokenAndTakenByAnother_CancelsLostAtTheNextRenewal()
    {
        await using var held = await Archive().TryLockMailboxAsync("support", default);
        var lockBlob = Container.GetBlobClient("state/support.json.lock");
        await lockBlob.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        await lockBlob.GetBlobLeaseClient().AcquireAsync(TimeSpan.FromSeconds(15));
        var clock = Stopwatch.StartNew();

        await WaitUntilLostAsync(held!, TimeSpan.FromSeconds(10));

        // Renewals come every third of the lease: Azure's 409 at the first one after the break is enough.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, Options().LeaseDuration / 3 + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task TryLockMailboxAsync_StorageFrozen_CancelsLostBeforeTheLeaseCanEnd()
    {
        // Slow tries, and retries that would take the SDK about 17 s, longer than the 15 s lease, if nothing bounded them.
        var options = Options();
        options.NetworkTimeout = TimeSpan.FromSeconds(4);
        options.MaxRetries = 3;
        var archive = Archive(options);
        var clock = Stopwatch.StartNew();
        await using var held = await archive.TryLockMailboxAsync("support", default);
        azurite.Server.Freeze();
        try
        {
            await WaitUntilLostAsync(held!, options.LeaseDuration + TimeSpan.FromSeconds(10));
        }
        finally
        {
            azurite.Server.Thaw();
        }

        Assert.InRange(clock.Elapsed, options.LeaseDuration / 3, options.LeaseDuration);
    }

    /// <summary>Waits until the lock's <see cref="IMailboxLock.Lost"/> is cancelled; throws TimeoutException after <paramref name="patience"/>.</summary>
    private static async Task WaitUntilLostAsync(IMailboxLock held, TimeSpan patience)
    {
        var lost = new TaskCompletionSource();
        await using var registration = held.Lost.Register(lost.SetResult);
        await lost.Task.WaitAsync(patience);
    }

    [Fact]
    public async Task ReadAsync_NothingListening_FailsInBoundedTimeNamingTheEndpoint()
    {
        var port = IntegrationTests.Infrastructure.FreePort.Find();
        var endpoint = $"http://127.0.0.1:{port}/{IntegrationTests.Infrastructure.AzuriteServer.AccountName}";
        var archive = Archive(Options(azurite.Server.ConnectionString.Replace(azurite.Server.BlobEndpoint, endpoint, StringComparison.Ordinal)));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ArchiveUnavailableException>(() => archive.ReadAsync("state/support.json", default));

        Assert.Contains(endpoint, error.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task WriteAsync_ServerFrozen_FailsAfterTheNetworkTimeoutNamingTheEndpoint()
    {
        var archive = Archive();
        Assert.Null(await archive.ReadAsync("state/support.json", default));
        var clock = Stopwatch.StartNew();
        ArchiveUnavailableException error;
        azurite.Server.Freeze();
        try
        {
            error = await Assert.ThrowsAsync<ArchiveUnavailableException>(() =>
                archive.WriteAsync("state/support.json", Ledger, Text("{}"), WriteCondition.Matching(null), default));
        }
        finally
        {
            azurite.Server.Thaw();
        }

        // Two tries of one second each, and a retry delay between them.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));
        Assert.Contains(azurite.Server.BlobEndpoint, error.Message, StringComparison.Ordinal);
        Assert.Contains("no answer within 00:00:01", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenReadAsync_LargerThanABlock_StreamsTheContentAndMissing_IsNull()
    {
        var content = new byte[BlockUploadStream.BlockSize + 12345];
        Random.Shared.NextBytes(content);
        var archive = Archive();
        await archive.WriteAsync("messages/big/message.eml", Raw, Bytes(content), WriteCondition.None, default);

        await using (var stream = await archive.OpenReadAsync("messages/big/message.eml", default))
        {
            var read = new MemoryStream();
            await stream!.CopyToAsync(read);
            Assert.Equal(content, read.ToArray());
        }

        Assert.Null(await archive.OpenReadAsync("messages/big/missing.eml", default));
    }

    [Fact]
    public async Task ListAsync_Prefix_ListsTheBlobsUnderIt()
    {
        var archive = Archive();
        await archive.WriteAsync("messages/support/a/message.eml", Raw, Text("a"), WriteCondition.None, default);
        await archive.WriteAsync("messages/support/a/attachments/f.pdf", Raw, Text("f"), WriteCondition.None, default);
        await archive.WriteAsync("messages/sales/b/message.eml", Raw, Text("b"), WriteCondition.None, default);

        var listed = await archive.ListAsync("messages/support/", default).ToListAsync();

        Assert.Equal(["messages/support/a/attachments/f.pdf", "messages/support/a/message.eml"], listed.Order(StringComparer.Ordinal));
        Assert.Empty(await archive.ListAsync("messages/nobody/", default).ToListAsync());
    }

    [Fact]
    public async Task StoreFileAsync_SpooledFile_IsUploadedWithItsTypeAndMetadataAndDeleted()
    {
        var archive = Archive();
        var content = new byte[BlockUploadStream.BlockSize + 100];
        Random.Shared.NextBytes(content);
        var file = Spooled(archive, content);

        await archive.StoreFileAsync("messages/support/k/message.eml", Raw, file, WriteCondition.MustNotExist, default);

        Assert.False(File.Exists(file));
        var blob = Container.GetBlobClient("messages/support/k/message.eml");
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal("message/rfc822", properties.ContentType);
        Assert.Equal("0001.abc", properties.Metadata["uidl"]);
        Assert.Equal(content, (await blob.DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task StoreFileAsync_ConditionFails_ThrowsConflictAndLeavesTheFileAndTheBlob()
    {
        var archive = Archive();
        await archive.WriteAsync("q/message.eml", Raw, Text("first"), WriteCondition.None, default);
        var file = Spooled(archive, "second"u8.ToArray());

        await Assert.ThrowsAsync<ArchiveConflictException>(() => archive.StoreFileAsync("q/message.eml", Raw, file, WriteCondition.MustNotExist, default));

        Assert.Equal("second", await File.ReadAllTextAsync(file));
        Assert.Equal("first", (await Container.GetBlobClient("q/message.eml").DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task AppendAsync_AtTheExpectedLength_AppendsToAnAppendBlobAndReturnsTheNewLength()
    {
        var archive = Archive();

        var first = await archive.AppendAsync("state/support.journal", "one\n"u8.ToArray(), 0, default);
        var second = await archive.AppendAsync("state/support.journal", "two\n"u8.ToArray(), first, default);

        Assert.Equal((4, 8), (first, second));
        var blob = Container.GetBlobClient("state/support.journal");
        Assert.Equal(BlobType.Append, (await blob.GetPropertiesAsync()).Value.BlobType);
        Assert.Equal("one\ntwo\n", (await blob.DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task AppendAsync_AnotherLength_ThrowsConflictAndAppendsNothing()
    {
        var archive = Archive();
        await archive.AppendAsync("state/support.journal", "one\n"u8.ToArray(), 0, default);

        await Assert.ThrowsAsync<ArchiveConflictException>(() => archive.AppendAsync("state/support.journal", "two\n"u8.ToArray(), 0, default));
        await Assert.ThrowsAsync<ArchiveConflictException>(() => archive.AppendAsync("state/support.journal", "two\n"u8.ToArray(), 9, default));
        await Assert.ThrowsAsync<ArchiveConflictException>(() => archive.AppendAsync("state/sales.journal", "one\n"u8.ToArray(), 4, default));

        Assert.Equal("one\n", (await Container.GetBlobClient("state/support.journal").DownloadContentAsync()).Value.Content.ToString());
        Assert.False(await Container.GetBlobClient("state/sales.journal").ExistsAsync());
    }

    [Fact]
    public async Task AppendAsync_AnswerLostAndRetriedBySdk_IsTakenAsTheSuccessItWas()
    {
        var lost = new LostAnswers(LostAnswers.Operation("appendblock"));
        var archive = Archive(fault: lost);
        await Archive().AppendAsync("state/support.journal", "one\n"u8.ToArray(), 0, default);

        var length = await archive.AppendAsync("state/support.journal", "two\n"u8.ToArray(), 4, default);

        Assert.Equal(1, lost.Lost);
        Assert.Equal(8, length);
        Assert.Equal("one\ntwo\n", (await Container.GetBlobClient("state/support.journal").DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task DeleteAsync_DeletesTheBlobAndMissingOnesAreNoError()
    {
        var archive = Archive();
        await archive.WriteAsync("x/y.txt", Ledger, Text("x"), WriteCondition.None, default);

        await archive.DeleteAsync("x/y.txt", default);
        await archive.DeleteAsync("x/y.txt", default);

        Assert.False(await Container.GetBlobClient("x/y.txt").ExistsAsync());
    }

    [Fact]
    public async Task TryLockMailboxAsync_MakesTheMailboxSpoolFolderAnewUnderSpoolPath()
    {
        var archive = Archive();
        var leftover = Spooled(archive, "a killed run's message"u8.ToArray());

        await using var held = await archive.TryLockMailboxAsync("support", default);

        Assert.StartsWith(Path.Combine(_spool, _containerName + "-"), archive.SpoolFolder, StringComparison.Ordinal);
        Assert.False(File.Exists(leftover));
        Assert.Equal("700", UnixModes.Of(Path.Combine(archive.SpoolFolder, "support")));
    }
}
