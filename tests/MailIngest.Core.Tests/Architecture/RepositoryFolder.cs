namespace MailIngest.Architecture;

/// <summary>The checkout these tests were built from: the folder of MailIngest.sln, above the test binaries.</summary>
internal static class RepositoryFolder
{
    public static string Root { get; } = Locate();

    private static string Locate()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MailIngest.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No MailIngest.sln above {AppContext.BaseDirectory}.");
    }
}
