using MailIngest.Configuration;
using MailIngest.Ingestion;

namespace MailIngest.Core.Tests.Ingestion;

public class FetchPlanTests
{
    private static readonly long[] Sizes = [100, 200, 300, 400, 500];

    [Fact]
    public void Create_NoBudget_TakesEverythingNew()
    {
        var plan = FetchPlan.Create([1, 3, 4], Sizes, new MailboxOptions());

        Assert.Equal(3, plan.Count);
        Assert.Null(plan.Budget);
    }

    [Fact]
    public void Create_MessageBudget_TakesTheOldestFirst()
    {
        var plan = FetchPlan.Create([0, 2, 4], Sizes, new MailboxOptions { MaxMessagesPerRun = 2 });

        Assert.Equal([0, 2], plan.NextBatch(0, Sizes, 10, long.MaxValue));
        Assert.Equal("MaxMessagesPerRun 2", plan.Budget);
    }

    [Fact]
    public void Create_ByteBudget_StopsBeforeTheMessageThatWouldExceedIt()
    {
        var plan = FetchPlan.Create([0, 1, 2], Sizes, new MailboxOptions { MaxBytesPerRun = 350 });

        Assert.Equal(2, plan.Count);
        Assert.NotNull(plan.Budget);
    }

    [Fact]
    public void Create_ByteBudgetSmallerThanFirstMessage_StillTakesOne()
    {
        var plan = FetchPlan.Create([4], Sizes, new MailboxOptions { MaxBytesPerRun = 1 });

        Assert.Equal(1, plan.Count);
    }

    [Fact]
    public void NextBatch_RespectsMessageAndByteLimits()
    {
        var plan = FetchPlan.Create([0, 1, 2, 3, 4], Sizes, new MailboxOptions());

        Assert.Equal([0, 1], plan.NextBatch(0, Sizes, 2, long.MaxValue));
        Assert.Equal([2], plan.NextBatch(2, Sizes, 10, 500));
        Assert.Equal([4], plan.NextBatch(4, Sizes, 10, 1));
    }

    [Fact]
    public void Create_AfterReconnect_CountsWhatTheRunAlreadyFetched()
    {
        var plan = FetchPlan.Create([2, 3, 4], Sizes, new MailboxOptions { MaxMessagesPerRun = 3 }, fetchedBefore: 2, bytesBefore: 300);

        Assert.Equal(1, plan.Count);
        Assert.Equal("MaxMessagesPerRun 3", plan.Budget);
    }

    [Fact]
    public void Create_AfterReconnect_ByteBudgetDoesNotForceAnotherMessage()
    {
        var plan = FetchPlan.Create([4], Sizes, new MailboxOptions { MaxBytesPerRun = 400 }, fetchedBefore: 1, bytesBefore: 300);

        Assert.Equal(0, plan.Count);
    }
}
