using MailIngest.Ingestion;

namespace MailIngest.Core.Tests.Ingestion;

public class UidlGuardTests
{
    [Theory]
    [InlineData(10, 2, 10, true)]   // 80 % gone, same count: renamed
    [InlineData(100, 0, 120, true)] // all gone, +20 %: renamed, a little new mail
    [InlineData(100, 0, 80, true)]  // all gone, -20 %
    [InlineData(9, 0, 9, false)]    // too small a ledger to judge
    [InlineData(10, 3, 10, false)]  // only 70 % gone
    [InlineData(100, 0, 121, false)] // far more mail than the ledger knew: not a rename
    [InlineData(100, 0, 0, false)]  // the mailbox was emptied (another client deleted everything)
    [InlineData(100, 100, 100, false)]
    public void Trips_ByThresholds(int ledgerEntries, int stillListed, int onServer, bool trips)
    {
        Assert.Equal(trips, UidlGuard.Default.Trips(ledgerEntries, stillListed, onServer));
    }

    [Fact]
    public void Check_Tripped_SaysUidlsChangedAndHowToRecover()
    {
        var error = Assert.Throws<UidlsChangedException>(() => UidlGuard.Default.Check("support", 12, 0, 12));

        Assert.Contains("UIDLs changed", error.Message, StringComparison.Ordinal);
        Assert.Contains("mailingest adopt --mailbox support", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trips_CustomThresholds_AreHonoured()
    {
        Assert.True(new UidlGuard(2, 0.5, 0.0).Trips(2, 1, 2));
        Assert.False(new UidlGuard(2, 0.5, 0.0).Trips(2, 1, 3));
    }
}
