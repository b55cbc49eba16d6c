using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Security;

/// <summary>
/// A test with its own Dovecot serving STLS and POP3S on a self-signed certificate for 127.0.0.1, one POP3 user holding
/// <see cref="Messages"/> messages, and a workspace storing to the file system.
/// </summary>
public abstract class TlsMailboxTest(string user) : IAsyncLifetime
{
    protected const string Password = "tls-pass-41c9";

    protected const int Messages = 3;

    protected string User { get; } = user;

    protected IngestWorkspace Workspace { get; private set; } = null!;

    protected DovecotServer Dovecot { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Dovecot = await DovecotServer.StartAsync(new DovecotOptions { Tls = true });
        Dovecot.AddUser(User, Password);
        for (var n = 1; n <= Messages; n++)
        {
            await Dovecot.DeliverAsync(User, TestMail.Numbered(n));
        }

        Workspace = await IngestWorkspace.CreateAsync(StoreKind.FileSystem);
    }

    public Task DisposeAsync() => Teardown.DisposeAllAsync(Workspace, Dovecot);

    /// <summary>Configures the mailbox on <paramref name="port"/>; <paramref name="mailbox"/> overrides Security (None by default) and more.</summary>
    protected void Configure(int port, object mailbox) =>
        Workspace.Configure(User, Dovecot.Host, port, User, Password, mailbox);
}
