using MailIngest.Ingestion;

namespace MailIngest.Core.Tests.Ingestion;

public sealed class StorePipelineTests : IDisposable
{
    private readonly string _spool = Directory.CreateTempSubdirectory("mailingest-pipeline-").FullName;

    public void Dispose() => Directory.Delete(_spool, recursive: true);

    [Fact]
    public async Task WaitForRoom_SpooledBytesOverTheBudget_WaitsUntilAStoreEnds()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stored = new List<int>();
        await using var pipeline = new StorePipeline(
            _spool,
            parallelism: 2,
            async (position, raw, _) =>
            {
                await release.Task;
                lock (stored)
                {
                    stored.Add(position);
                }

                raw.Discard();
            },
            (_, _, _) => Task.CompletedTask,
            CancellationToken.None);

        foreach (var position in new[] { 0, 1 })
        {
            await pipeline.Open(position).WriteAsync(new byte[1000]);
            await pipeline.CompletedAsync(position, CancellationToken.None);
        }

        var room = pipeline.WaitForRoomAsync(1500, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(room.IsCompleted);
        Assert.True(pipeline.WaitForRoomAsync(2500, CancellationToken.None).IsCompleted);

        release.SetResult();
        await room.WaitAsync(TimeSpan.FromSeconds(10));
        await pipeline.DrainAsync();
        Assert.Equal([0, 1], stored.Order());
        Assert.Empty(Directory.GetFiles(_spool));
    }

    [Fact]
    public async Task Open_RetrievalCutOff_LeavesNoSpoolFile()
    {
        await using var pipeline = new StorePipeline(_spool, 1, (_, raw, _) => Task.CompletedTask, (_, _, _) => Task.CompletedTask, CancellationToken.None);

        await pipeline.Open(0).WriteAsync(new byte[10]);
        await pipeline.DrainAsync();

        Assert.Empty(Directory.GetFiles(_spool));
    }
}
