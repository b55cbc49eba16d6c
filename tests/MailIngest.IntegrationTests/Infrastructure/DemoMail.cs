namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>The hand-written messages of demo/mail, copied beside the test assembly by the project file.</summary>
public static class DemoMail
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "demo", "mail");

    /// <summary>Every demo message, in file-name order (the order demo.sh delivers them in).</summary>
    public static IReadOnlyList<string> Files() =>
        Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).ToList();
}
