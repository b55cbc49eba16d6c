namespace MailIngest.Decoding;

/// <summary>Finds the shared test mail corpus beside the repository (<c>../shared/corpus</c>), which not every checkout has.</summary>
internal static class Corpus
{
    public const string MissingReason = "The shared mail corpus (../shared/corpus beside MailIngest.sln) is not present.";

    public static string? Directory { get; } = Locate();

    public static string PathOf(string relativePath) =>
        System.IO.Path.Combine(Directory ?? throw new InvalidOperationException(MissingReason), relativePath);

    /// <summary>Every message in the corpus, as paths relative to it; empty when the corpus is missing.</summary>
    public static IEnumerable<string> Messages() =>
        Directory is null
            ? []
            : System.IO.Directory.EnumerateFiles(Directory, "*.eml", SearchOption.AllDirectories)
                .Select(path => System.IO.Path.GetRelativePath(Directory, path).Replace('\\', '/'))
                .Order(StringComparer.Ordinal);

    private static string? Locate()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "MailIngest.sln")))
            {
                var corpus = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder.FullName, "..", "shared", "corpus"));
                return System.IO.Directory.Exists(corpus) ? corpus : null;
            }
        }

        return null;
    }
}

/// <summary>A fact that is skipped, not failed, when the shared corpus is missing.</summary>
internal sealed class CorpusFactAttribute : FactAttribute
{
    public CorpusFactAttribute()
    {
        if (Corpus.Directory is null)
        {
            Skip = Corpus.MissingReason;
        }
    }
}

/// <summary>A theory that is skipped, not failed, when the shared corpus is missing.</summary>
internal sealed class CorpusTheoryAttribute : TheoryAttribute
{
    public CorpusTheoryAttribute()
    {
        if (Corpus.Directory is null)
        {
            Skip = Corpus.MissingReason;
        }
    }
}
