using System.Diagnostics;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using MailIngest.Archive;
using MailIngest.Storage.Azure;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailIngest.Storage.Tests.Azure;

/// <summary>The AzureBlob store against a real Azurite: content, Content-Type and metadata, conditional writes, the lease, failures.</summary>
public sealed class AzureBlobMailArchiveTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly ArchiveObjectInfo Ledger = new("application/json", ArchiveObjectKind.Ledger, "support");

    // A container per test, so that tests sharing the server never see each other's blobs.
    private readonly string _containerName = "t" + Guid.NewGuid().ToString("N");

    private StorageOptions Options(string? connectionString = null) => new()
    {
        Provider = StorageProvider.AzureBlob,
        ConnectionString = connectionString ?? azurite.Server.ConnectionString,
        Container = _containerName,
        LeaseDuration = TimeSpan.FromSeconds(15),
        NetworkTimeout = TimeSpan.FromSeconds(1),
        MaxRetries = 1,
        RetryDelay = TimeSpan.FromMilliseconds(100),
    };

    private AzureBlobMailArchive Archive(StorageOptions? options = null)
    {
        options ??= Options();
        return new AzureBlobMailArchive(
            AzureBlobClients.CreateContainerClient(options), options, TimeProvider.System, NullLogger<AzureBlobMailArchive>.Instance);
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
    public async Task TryLockMailboxAsync_HeldLongerThanTheLeaseDuration_IsRenewedAndStaysExclusive()
    {
        await using var held = await Archive().TryLockMailboxAsync("support", default);
        Assert.NotNull(held);

        await Task.Delay(Options().LeaseDuration + TimeSpan.FromSeconds(3));

        Assert.Null(await Archive().TryLockMailboxAsync("support", default));
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
}
