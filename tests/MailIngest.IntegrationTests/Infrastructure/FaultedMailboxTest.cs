namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A mailbox of six messages, the third one large (so a fault inside its RETR is well inside a message), for the tests
/// that crash or cut a run and then check the invariants: each message stored exactly once, none lost, the mailbox empty.
/// </summary>
public abstract class FaultedMailboxTest(string user, StoreKind store = StoreKind.FileSystem) : MailboxTest(user, store)
{
    protected const int Messages = 6;

    protected List<byte[]> Delivered { get; } = [];

    /// <summary>Bytes the server sends before it reaches one megabyte into the large third message.</summary>
    protected long IntoTheLargeMessage => Delivered.Take(2).Sum(m => m.Length) + 1_000_000;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        for (var n = 1; n <= Messages; n++)
        {
            var message = TestMail.Numbered(n, paddingBytes: n == 3 ? 2_000_000 : 0);
            Delivered.Add(message);
            await Dovecot.DeliverAsync(User, message);
        }
    }

    /// <summary>Every delivered message stored exactly once with its exact bytes, no half-stored folder, the mailbox empty.</summary>
    protected void AssertEachMessageStoredOnceAndMailboxEmpty()
    {
        var manifests = Workspace.Manifests();
        Assert.Equal(Messages, manifests.Count);
        Assert.Equal(Messages, manifests.Select(m => m.Uidl).Distinct().Count());
        Assert.Equal(Workspace.MessageFolders(), manifests.Select(m => m.Folder));
        Assert.Equal(Delivered.Select(Convert.ToHexString).Order(), manifests.Select(m => Convert.ToHexString(m.Raw)).Order());
        Assert.Equal(0, Dovecot.MessageCount(User));
        Assert.Empty(Workspace.TempFiles());
    }
}
