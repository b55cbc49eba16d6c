using MailIngest.Ingestion;

namespace MailIngest.Core.Tests.Ingestion;

public class UidlGuardTests
{
    [Theory]
    [InlineData(10, 2, 8, true)]     // 80 % gone, as many unknown: renamed
    [InlineData(100, 0, 150, true)]  // all gone, renamed beside 50 new messages: still renamed, whatever the total
    [InlineData(100, 0, 80, true)]   // all gone, 80 % as many appeared
    [InlineData(3, 0, 3, true)]      // a small mailbox renamed
    [InlineData(1, 0, 1, false)]     // one message replaced by another: ordinary churn
    [InlineData(10, 3, 7, false)]    // only 70 % gone
    [InlineData(100, 0, 79, false)]  // fewer appeared than vanished: mail deleted by another client, some new
    [InlineData(100, 0, 0, false)]   // the mailbox was emptied (another client deleted everything)
    [InlineData(100, 100, 20, false)] // new mail only
    public void Trips_ByThresholds(int ledgerEntries, int stillListed, int unknown, bool trips)
    {
        Assert.Equal(trips, UidlGuard.Default.Trips(ledgerEntries, stillListed, unknown));
    }

    [Fact]
    public void Check_Tripped_SaysWhatVanishedAndAppearedAndHowToRecover()
    {
        var error = Assert.Throws<UidlsChangedException>(() => UidlGuard.Default.Check("support", 12, 0, 14));

        Assert.Contains("12 of the 12 IDs in the ledger are no longer listed and 14 unknown ones appeared", error.Message, StringComparison.Ordinal);
        Assert.Contains("mailingest adopt --mailbox support", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trips_CustomThresholds_AreHonoured()
    {
        Assert.True(new UidlGuard(2, 0.5, 0.5).Trips(2, 1, 1));
        Assert.False(new UidlGuard(2, 0.5, 2.0).Trips(2, 1, 1));
    }
}
