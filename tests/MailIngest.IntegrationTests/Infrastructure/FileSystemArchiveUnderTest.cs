using System.Text.Json.Nodes;
using MailIngest.Archive;
using MailIngest.Storage.FileSystem;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>The archive as a folder, the FileSystem store.</summary>
internal sealed class FileSystemArchiveUnderTest(string dataPath) : ArchiveUnderTest
{
    public override StoreKind Kind => StoreKind.FileSystem;

    public override JsonObject StorageSettings() => new() { ["Provider"] = "FileSystem", ["Path"] = dataPath };

    public override IMailArchive Open() => new FileSystemMailArchive(dataPath, TimeProvider.System);

    public override IReadOnlyList<string> List(string prefix)
    {
        // Archive paths use '/'; a prefix names a folder here.
        var folder = Path.Combine(dataPath, prefix);
        return Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                .Select(path => Path.GetRelativePath(dataPath, path).Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
    }

    public override byte[]? Read(string path)
    {
        var file = Path.Combine(dataPath, path);
        return File.Exists(file) ? File.ReadAllBytes(file) : null;
    }

    public override void Write(string path, byte[] content)
    {
        var file = Path.Combine(dataPath, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, content);
    }

    public override void Delete(string path) => File.Delete(Path.Combine(dataPath, path));

    public override IReadOnlyList<string> HalfWritten() => Directory.Exists(dataPath)
        ? Directory.GetFiles(dataPath, "*.tmp", SearchOption.AllDirectories)
        : [];

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
