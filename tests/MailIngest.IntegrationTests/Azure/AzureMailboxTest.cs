using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Azure;

/// <summary>A mailbox test whose archive is always in a private Azurite, with the checks the Azure-only tests share.</summary>
public abstract class AzureMailboxTest(string user) : MailboxTest(user, StoreKind.AzureBlob)
{
    protected static readonly TimeSpan LeaseDuration = AzuriteArchiveUnderTest.Options("").LeaseDuration;

    protected List<byte[]> Delivered { get; } = [];

    protected AzuriteArchiveUnderTest Azure => (AzuriteArchiveUnderTest)Workspace.Archive;

    protected AzuriteServer Azurite => Azure.Server;

    protected async Task DeliverAsync(int count, int paddingBytes)
    {
        for (var n = Delivered.Count + 1; count-- > 0; n++)
        {
            var message = TestMail.Numbered(n, paddingBytes: paddingBytes);
            Delivered.Add(message);
            await Dovecot.DeliverAsync(User, message);
        }
    }

    protected bool LeaseHeld() => Azure.LeaseHeld(User);

    /// <summary>Every delivered message stored exactly once, with its exact bytes, and the server emptied.</summary>
    protected void AssertEverythingStoredOnceAndDeleted()
    {
        var manifests = Workspace.Manifests();
        Assert.Equal(Delivered.Count, manifests.Count);
        Assert.Equal(Delivered.Count, manifests.Select(m => m.Uidl).Distinct().Count());
        Assert.Equal(Workspace.MessageFolders(), manifests.Select(m => m.Folder));
        Assert.Equal(Delivered.Select(Convert.ToHexString).Order(), manifests.Select(m => Convert.ToHexString(m.Raw)).Order());
        Assert.Equal(0, Dovecot.MessageCount(User));
        // Deleted messages leave the ledger once the server acknowledged QUIT.
        Assert.Equal(0, Workspace.Ledger(User)!.Count);
    }
}
