using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Security;

/// <summary>The blob store's connection string read from <c>MailIngest:Storage:ConnectionStringFile</c>.</summary>
public sealed class StorageSecretFileTests() : MailboxTest("blobsecret", StoreKind.AzureBlob)
{
    private string ConnectionStringPath => Path.Combine(Workspace.Root, "storage-connection");

    [Fact]
    public async Task Once_ConnectionStringFile_StoresTheMailInTheBlobStore()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        var connectionString = Workspace.Archive.StorageSettings()["ConnectionString"]!.GetValue<string>();
        await File.WriteAllTextAsync(ConnectionStringPath, connectionString + "\n");
        Configure(storage: new { ConnectionString = "", ConnectionStringFile = ConnectionStringPath });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(Workspace.Manifests());
    }

    [Fact]
    public async Task Once_MissingConnectionStringFile_ExitsWith2NamingTheKey()
    {
        Configure(storage: new { ConnectionString = "", ConnectionStringFile = ConnectionStringPath });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"MailIngest:Storage:ConnectionStringFile: '{ConnectionStringPath}' does not exist", run.Stderr, StringComparison.Ordinal);
    }
}
