namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A test with its own Dovecot holding one POP3 user, and a workspace for mailingest's configuration and archive; the
/// mailbox is configured under the user's name.
/// </summary>
public abstract class MailboxTest(string user) : IAsyncLifetime
{
    protected const string Password = "test-pass-7f3a";

    protected string User { get; } = user;

    protected IngestWorkspace Workspace { get; } = new();

    protected DovecotServer Dovecot { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Dovecot = await DovecotServer.StartAsync();
        Dovecot.AddUser(User, Password);
    }

    public async Task DisposeAsync()
    {
        await Dovecot.DisposeAsync();
        Workspace.Dispose();
    }

    /// <summary>Configures the mailbox, reached directly or through <paramref name="port"/> (a proxy's).</summary>
    protected void Configure(object? mailbox = null, object? ingest = null, int? port = null) =>
        Workspace.Configure(User, Dovecot.Host, port ?? Dovecot.Port, User, Password, mailbox, ingest);
}
