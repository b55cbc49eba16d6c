using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Storage;

/// <summary>The FileSystem store under a real run: what it creates is the owner's alone, and a file system it cannot write fails the run.</summary>
public sealed class FileSystemArchiveTests() : MailboxTest("archived")
{
    /// <summary>The FileSystem archive under test: <c>data</c> in the workspace (see <see cref="ArchiveUnderTest.CreateAsync"/>).</summary>
    private string DataPath => Path.Combine(Workspace.Root, "data");

    [Fact]
    public async Task Once_EveryFileAndFolderOfTheArchive_IsTheOwnersAlone()
    {
        for (var n = 1; n <= 3; n++)
        {
            await Dovecot.DeliverAsync(User, TestMail.Numbered(n));
        }

        Configure();

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(3, Workspace.Manifests().Count);
        Assert.All(Directory.GetFiles(DataPath, "*", SearchOption.AllDirectories), file => Assert.Equal((file, "600"), (file, UnixModes.Of(file))));
        Assert.All(
            Directory.GetDirectories(DataPath, "*", SearchOption.AllDirectories).Append(DataPath),
            folder => Assert.Equal((folder, "700"), (folder, UnixModes.Of(folder))));
    }

    [Fact]
    public async Task Once_StateFolderNotWritable_FailsTheMailboxNamingTheErrorAndFetchesNothing()
    {
        Configure();
        // Every run but the first finds the lock file there already.
        var first = await Workspace.OnceAsync();
        Assert.True(first.ExitCode == 0, first.ToString());
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        var state = Path.Combine(DataPath, "state");

        RunOutput run;
        using (new ReadOnlyFolder(state))
        {
            run = await Workspace.OnceAsync();
        }

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"{User}: FAILED", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(state, run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("another worker holds", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(Workspace.Manifests());
        Assert.Equal(1, Dovecot.MessageCount(User));
    }
}
