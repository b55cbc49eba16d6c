using MailIngest.Archive;

namespace MailIngest.Core.Tests.Archive;

public class RetrievalWarningsTests
{
    [Theory]
    [InlineData(5000, 5000)]
    [InlineData(5000, 4600)]   // 8 % short: LIST sizes are not always exact
    [InlineData(2000, 1100)]   // 900 bytes short of a small message: under the 1 KiB floor
    [InlineData(5000, 7000)]   // 40 % larger: an estimate
    public void ForSize_CloseEnough_IsQuiet(long listed, long received)
    {
        Assert.Null(RetrievalWarnings.ForSize(listed, received));
    }

    [Fact]
    public void ForSize_MuchShorter_SaysItMayBeCutShort()
    {
        Assert.Contains("may have cut the message short", RetrievalWarnings.ForSize(5000, 300), StringComparison.Ordinal);
    }

    [Fact]
    public void ForSize_FarLarger_SaysSizesAreEstimates()
    {
        Assert.Contains("estimates", RetrievalWarnings.ForSize(9000, 20000), StringComparison.Ordinal);
    }
}
