using MailIngest.Archive;

namespace MailIngest.Core.Tests.Archive;

public class ArchiveLayoutTests
{
    [Fact]
    public void MessageKey_SameMailboxAndUidl_IsTheSame()
    {
        Assert.Equal(ArchiveLayout.MessageKey("support", "000000015f3a"), ArchiveLayout.MessageKey("support", "000000015f3a"));
    }

    [Theory]
    [InlineData("a/b", "a_b")]
    [InlineData("abc", "ABC")]
    [InlineData("x", "x ")]
    public void MessageKey_UidlsThatSanitiseAlike_StayDistinct(string first, string second)
    {
        Assert.NotEqual(ArchiveLayout.MessageKey("support", first), ArchiveLayout.MessageKey("support", second));
    }

    [Fact]
    public void MessageKey_OtherMailbox_Differs()
    {
        Assert.NotEqual(ArchiveLayout.MessageKey("support", "1"), ArchiveLayout.MessageKey("sales", "1"));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("a\\b:c*d?e\"f<g>h|i")]
    [InlineData("~!@#$%^&*()+={}[];'`,.")]
    public void MessageKey_HostileUidl_HasOnlySafeCharacters(string uidl)
    {
        var key = ArchiveLayout.MessageKey("support", uidl);

        Assert.Matches("^[A-Za-z0-9_-]+$", key);
    }

    [Fact]
    public void MessageKey_LongUidl_StaysShort()
    {
        Assert.True(ArchiveLayout.MessageKey("support", new string('x', 70)).Length <= 60);
    }

    [Fact]
    public void MessageFolder_UsesTheDateInUtc()
    {
        var date = new DateTimeOffset(2026, 1, 1, 3, 0, 0, TimeSpan.FromHours(8));

        Assert.Equal("messages/support/2025/12/31/k", ArchiveLayout.MessageFolder("support", date, "k"));
    }

    [Fact]
    public void MessageFolder_NoDate_IsUndated()
    {
        Assert.Equal("messages/support/undated/k", ArchiveLayout.MessageFolder("support", null, "k"));
    }

    [Fact]
    public void ReusedUidlKey_DependsOnContent()
    {
        var key = ArchiveLayout.MessageKey("support", "1");

        Assert.NotEqual(ArchiveLayout.ReusedUidlKey(key, new string('a', 64)), ArchiveLayout.ReusedUidlKey(key, new string('b', 64)));
        Assert.StartsWith(key, ArchiveLayout.ReusedUidlKey(key, new string('a', 64)), StringComparison.Ordinal);
    }
}
