using MailIngest.Archive;
using MailIngest.Reprocessing;

namespace MailIngest.Core.Tests.Reprocessing;

/// <summary>Which folders a request takes, from their archive paths alone.</summary>
public class ReprocessSelectionTests
{
    private const string Dated = "messages/support/2026/11/02/u1-0123456789ab/manifest.json";
    private const string Undated = "messages/support/undated/u2-0123456789ab/manifest.json";

    private static ReprocessSelection Selection(DateOnly? since = null, DateOnly? until = null, params string[] keys) =>
        new("support", new ReprocessRequest { Since = since, Until = until, Keys = keys.ToHashSet(StringComparer.Ordinal) });

    [Fact]
    public void Stored_DatedManifest_GivesItsFolderKeyAndDate()
    {
        var folder = Selection().Stored(Dated);

        Assert.Equal(new StoredFolder("messages/support/2026/11/02/u1-0123456789ab", "u1-0123456789ab", new DateOnly(2026, 11, 2)), folder);
    }

    [Theory]
    [InlineData("2026-11-02", "2026-11-02", true)]
    [InlineData("2026-11-01", null, true)]
    [InlineData(null, "2026-11-03", true)]
    [InlineData("2026-11-03", null, false)]
    [InlineData(null, "2026-11-01", false)]
    public void Stored_SinceAndUntil_AreInclusiveDaysOfTheDateFolder(string? since, string? until, bool taken)
    {
        var selection = Selection(since is null ? null : DateOnly.Parse(since, System.Globalization.CultureInfo.InvariantCulture),
            until is null ? null : DateOnly.Parse(until, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(taken, selection.Stored(Dated) is not null);
    }

    [Fact]
    public void Stored_Undated_IsTakenWithoutDatesAndLeftOutWithThem()
    {
        Assert.Equal("u2-0123456789ab", Selection().Stored(Undated)?.Key);
        Assert.Null(Selection(since: new DateOnly(2000, 1, 1)).Stored(Undated));
    }

    [Fact]
    public void Stored_Key_TakesThatKeyAloneNotTheKeyOfAReusedId()
    {
        var selection = Selection(keys: "u1-0123456789ab");

        Assert.NotNull(selection.Stored(Dated));
        Assert.Null(selection.Stored("messages/support/2026/11/02/u1-0123456789ab-fedcba987654/manifest.json"));
        Assert.NotNull(Selection(keys: "u1-0123456789ab-fedcba987654").Stored("messages/support/2026/11/02/u1-0123456789ab-fedcba987654/manifest.json"));
    }

    [Theory]
    [InlineData("messages/support/2026/11/02/u1-0123456789ab/message.eml")]
    [InlineData("messages/support/2026/11/02/u1-0123456789ab/attachments/manifest.json")]
    [InlineData("messages/support.b/2026/11/02/u1-0123456789ab/manifest.json")]
    [InlineData("messages/support/2026/13/02/u1-0123456789ab/manifest.json")]
    [InlineData("quarantine/support/u1-0123456789ab/error.json")]
    public void Stored_PathNotAManifestOfTheMailbox_IsLeftOut(string path)
    {
        Assert.Null(Selection().Stored(path));
    }

    [Fact]
    public void Quarantined_TheRecordOfAKey_GivesTheKey()
    {
        Assert.Equal("u1-0123456789ab", Selection().Quarantined("quarantine/support/u1-0123456789ab/error.json"));
        Assert.Null(Selection().Quarantined("quarantine/support/u1-0123456789ab/message.eml"));
        Assert.Null(Selection(keys: "other").Quarantined("quarantine/support/u1-0123456789ab/error.json"));
    }
}
