using MailIngest.Archive;
using MailIngest.Decoding;
using MailIngest.Reprocessing;

namespace MailIngest.Core.Tests.Reprocessing;

/// <summary>What a reprocess must write and delete in a folder, decided by comparing before writing.</summary>
public class ContentChangesTests
{
    private static readonly StoredBody Body = new("body.txt", "text/plain", "utf-8", "us-ascii", 10, "b0");
    private static readonly StoredAttachment Pdf = new("attachments/01-a.pdf", "a.pdf", "application/pdf", 3, "a1", false, null, "mime");
    private static readonly StoredAttachment Png = new("attachments/02-b.png", "b.png", "image/png", 4, "a2", false, null, "mime");

    private static MessageManifest Manifest(params StoredAttachment[] attachments) => new(
        MessageManifest.CurrentSchemaVersion,
        "support",
        "u1",
        "u1-0123456789ab",
        DateTimeOffset.UnixEpoch,
        "m1@example.com",
        "Subject",
        ["a@example.com"],
        ["b@example.com"],
        [],
        DateTimeOffset.UnixEpoch,
        new StoredRaw("message.eml", 100, "r0"),
        [Body],
        attachments,
        [])
    {
        DecoderVersion = MessageDecoder.Version,
    };

    private static HashSet<string> Present(params string[] paths) => [ArchiveLayout.RawName, ArchiveLayout.ManifestName, .. paths];

    [Fact]
    public void Between_SameContentEveryObjectPresent_IsUnchangedWhateverReprocessedAtSays()
    {
        var stored = Manifest(Pdf) with { ReprocessedAt = DateTimeOffset.UnixEpoch.AddDays(1) };

        var changes = ContentChanges.Between(stored, Manifest(Pdf), Present("body.txt", Pdf.Path));

        Assert.Null(changes.Change);
        Assert.Empty(changes.ToWrite);
        Assert.Empty(changes.ToDelete);
    }

    [Fact]
    public void Between_AnObjectMissingFromTheFolder_RestoresThatObjectAlone()
    {
        var changes = ContentChanges.Between(Manifest(Pdf, Png), Manifest(Pdf, Png), Present("body.txt", Pdf.Path));

        Assert.Equal(ReprocessChange.Restored, changes.Change);
        Assert.Equal([Png.Path], changes.ToWrite);
        Assert.Empty(changes.ToDelete);
    }

    [Fact]
    public void Between_DecodingGivesOtherContentAndDropsAnAttachment_RewritesThatContentAndDeletesTheDropped()
    {
        var stored = Manifest(Pdf, Png);
        var decoded = Manifest(Pdf with { Size = 5, Sha256 = "a9" });

        var changes = ContentChanges.Between(stored, decoded, Present("body.txt", Pdf.Path, Png.Path));

        Assert.Equal(ReprocessChange.Rewritten, changes.Change);
        Assert.Equal([Pdf.Path], changes.ToWrite);
        Assert.Equal([Png.Path], changes.ToDelete);
    }

    [Fact]
    public void Between_ManifestOfAnOlderDecoderWithTheSameObjects_RewritesTheManifestAlone()
    {
        var changes = ContentChanges.Between(Manifest(Pdf) with { DecoderVersion = null }, Manifest(Pdf), Present("body.txt", Pdf.Path));

        Assert.Equal(ReprocessChange.Rewritten, changes.Change);
        Assert.Empty(changes.ToWrite);
        Assert.Empty(changes.ToDelete);
    }

    [Fact]
    public void Between_AnObjectOnlyTheOldManifestNamedIsAlreadyGone_HasNothingToDelete()
    {
        var changes = ContentChanges.Between(Manifest(Pdf, Png), Manifest(Pdf), Present("body.txt", Pdf.Path));

        Assert.Equal(ReprocessChange.Rewritten, changes.Change);
        Assert.Empty(changes.ToDelete);
    }
}
