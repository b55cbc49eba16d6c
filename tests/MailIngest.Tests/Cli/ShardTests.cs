using MailIngest.Host.Cli;

namespace MailIngest.Tests.Cli;

public sealed class ShardTests
{
    internal static readonly string[] Mailboxes = ["support", "sales", "billing", "hr", "info", "jobs", "press"];

    [Fact]
    public void Owns_SevenMailboxesOverThreeShards_EachMailboxOnExactlyOneShard()
    {
        var shards = Enumerable.Range(0, 3).Select(i => new Shard(i, 3)).ToList();

        foreach (var mailbox in Mailboxes)
        {
            Assert.Single(shards, shard => shard.Owns(mailbox));
        }

        Assert.All(shards, shard => Assert.Contains(Mailboxes, shard.Owns));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(16)]
    public void Owns_AnyShardCount_PartitionsTheMailboxes(int count)
    {
        var owned = Enumerable.Range(0, count).SelectMany(i => Mailboxes.Where(new Shard(i, count).Owns)).ToList();

        Assert.Equal(Mailboxes.Order(), owned.Order());
    }

    // Pinned values (SHA-256's first four bytes, big-endian, modulo 3): a changed hash would move mailboxes between
    // the pods of a running deployment, and the chart computes the same values with sha256sum.
    [Theory]
    [InlineData("support", 0)]
    [InlineData("sales", 0)]
    [InlineData("hr", 1)]
    [InlineData("info", 1)]
    [InlineData("billing", 2)]
    [InlineData("jobs", 2)]
    [InlineData("press", 2)]
    public void ShardOf_KnownNames_StableAssignment(string mailbox, int expected) =>
        Assert.Equal(expected, Shard.ShardOf(mailbox, 3));

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("2/3", 2, 3)]
    [InlineData("9/10", 9, 10)]
    public void TryParse_IndexBelowCount_ReturnsTheShard(string text, int index, int count) =>
        Assert.Equal(new Shard(index, count), Shard.TryParse(text, out _));

    [Theory]
    [InlineData("3/3")]
    [InlineData("0/0")]
    [InlineData("-1/3")]
    [InlineData("1")]
    [InlineData("1/3/5")]
    [InlineData("a/3")]
    [InlineData(" 1/3")]
    [InlineData("1/")]
    public void TryParse_Invalid_ReturnsNullWithAMessage(string text)
    {
        Assert.Null(Shard.TryParse(text, out var error));
        Assert.Contains("--shard", error, StringComparison.Ordinal);
    }
}
