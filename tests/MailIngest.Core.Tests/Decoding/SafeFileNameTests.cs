using System.Text;

namespace MailIngest.Decoding;

public sealed class SafeFileNameTests
{
    public static TheoryData<string, string> HostileNames => new()
    {
        { "../../etc/passwd", "passwd" },
        { @"..\..\windows\win.ini", "win.ini" },
        { "/absolute/path.txt", "path.txt" },
        { "manifest.json", "_manifest.json" },
        { "MESSAGE.EML", "_MESSAGE.EML" },
        { "body.txt", "_body.txt" },
        { "Body.Html", "_Body.Html" },
        { "CON", "_CON" },
        { "con.txt", "_con.txt" },
        { "Nul.tar.gz", "_Nul.tar.gz" },
        { "com1", "_com1" },
        { "LPT9.log", "_LPT9.log" },
        { "COM¹.txt", "_COM¹.txt" },
        { "aux .txt", "_aux.txt" },
        { " .hidden. ", "hidden" },
        { "...", "unnamed" },
        { "", "unnamed" },
        { "a..b.txt", "a.b.txt" },
        { "name\0with\u0001controls\u007F.txt", "name_with_controls_.txt" },
        { "line\r\nbreak.txt", "line__break.txt" },
        { "evil\u202Etxt.exe", "evil_txt.exe" },
        { "what?<is>:this*|\".txt", "what__is__this___.txt" },
        { "folder/", "unnamed" },
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void Sanitize_HostileName_ReturnsSafeName(string name, string expected)
    {
        var safe = SafeFileName.Sanitize(name);

        Assert.Equal(expected, safe);
        AssertSafe(safe);
    }

    [Theory]
    [InlineData("report.pdf")]
    [InlineData("报告.pdf")]
    [InlineData("Données trimestrielles.xlsx")]
    [InlineData("Привет мир.docx")]
    [InlineData("👍 thumbs up.png")]
    [InlineData("COM10.txt")]
    [InlineData("CONSOLE.log")]
    public void Sanitize_OrdinaryName_KeepsItUnchanged(string name)
    {
        Assert.Equal(name, SafeFileName.Sanitize(name));
    }

    [Fact]
    public void Sanitize_NullName_ReturnsPlaceholder()
    {
        Assert.Equal("unnamed", SafeFileName.Sanitize(null));
    }

    [Theory]
    [InlineData("x", ".txt")]
    [InlineData("报", ".pdf")]
    [InlineData("👍", ".png")]
    [InlineData("e\u0301", ".doc")]
    public void Sanitize_300CharacterName_TruncatesStemAtCharacterBoundaryAndKeepsExtension(string unit, string extension)
    {
        var name = string.Concat(Enumerable.Repeat(unit, 300)) + extension;

        var safe = SafeFileName.Sanitize(name);

        Assert.True(Encoding.UTF8.GetByteCount(safe) <= SafeFileName.MaxBytes, $"{Encoding.UTF8.GetByteCount(safe)} bytes");
        Assert.EndsWith(extension, safe, StringComparison.Ordinal);
        var stem = safe[..^extension.Length];
        Assert.Equal(0, stem.Length % unit.Length);
        Assert.Equal(string.Concat(Enumerable.Repeat(unit, stem.Length / unit.Length)), stem);
        AssertSafe(safe);
    }

    [Fact]
    public void Sanitize_300CharacterExtension_TreatsItAsPartOfTheStem()
    {
        var safe = SafeFileName.Sanitize("a." + new string('x', 300));

        Assert.True(Encoding.UTF8.GetByteCount(safe) <= SafeFileName.MaxBytes);
        Assert.StartsWith("a.xxx", safe, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "report.pdf", "attachments/01-report.pdf")]
    [InlineData(9, "../../etc/passwd", "attachments/09-passwd")]
    [InlineData(42, "CON", "attachments/42-_CON")]
    [InlineData(100, "report.pdf", "attachments/100-report.pdf")]
    [InlineData(1234, null, "attachments/1234-unnamed")]
    public void ForAttachment_SequenceAndName_ReturnsNumberedPath(int sequence, string? name, string expected)
    {
        Assert.Equal(expected, SafeFileName.ForAttachment(sequence, name));
    }

    [Fact]
    public void ForAttachment_300CharacterName_StaysUnder255Bytes()
    {
        var path = SafeFileName.ForAttachment(1000, new string('報', 300) + ".pdf");

        var fileName = path["attachments/".Length..];
        Assert.True(Encoding.UTF8.GetByteCount(fileName) < 255, $"{Encoding.UTF8.GetByteCount(fileName)} bytes");
        Assert.EndsWith(".pdf", fileName, StringComparison.Ordinal);
    }

    [Fact]
    public void ForAttachment_NamesDifferingOnlyInCase_NeverCollide()
    {
        string[] names = ["Report.PDF", "report.pdf", "REPORT.pdf", "report.pdf"];

        var paths = names.Select((name, index) => SafeFileName.ForAttachment(index + 1, name)).ToList();

        Assert.Equal(paths.Count, paths.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void ForAttachment_ZeroSequence_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SafeFileName.ForAttachment(0, "a.txt"));
    }

    /// <summary>The rules of the storage layout (docs/storage.md), checked on a stored file name.</summary>
    internal static void AssertSafe(string fileName)
    {
        Assert.DoesNotContain('/', fileName);
        Assert.DoesNotContain('\\', fileName);
        Assert.DoesNotContain("..", fileName, StringComparison.Ordinal);
        Assert.DoesNotContain(fileName, char.IsControl);
        Assert.False(fileName.StartsWith('.') || fileName.EndsWith('.') || fileName.StartsWith(' ') || fileName.EndsWith(' '), fileName);
        Assert.True(Encoding.UTF8.GetByteCount(fileName) < 255, fileName);
        Assert.DoesNotMatch(@"(?i)^(CON|PRN|AUX|NUL|COM[1-9¹²³]|LPT[1-9¹²³])(\..*)?$", fileName);
        Assert.DoesNotMatch(@"(?i)^(message\.eml|manifest\.json|body\.txt|body\.html)$", fileName);
    }
}
