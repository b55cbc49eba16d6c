using System.Text.Json;
using System.Text.Json.Nodes;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A test with its own Dovecot holding one POP3 user, and a workspace for mailingest's configuration and an archive
/// in <paramref name="store"/>; the mailbox is configured under the user's name. A test class deriving from it is
/// abstract, with one small sealed subclass per store, so each test body runs against both.
/// </summary>
public abstract class MailboxTest(string user, StoreKind store = StoreKind.FileSystem) : IAsyncLifetime
{
    protected const string Password = "test-pass-7f3a";

    protected string User { get; } = user;

    protected StoreKind Store { get; } = store;

    protected IngestWorkspace Workspace { get; private set; } = null!;

    protected DovecotServer Dovecot { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Dovecot = await DovecotServer.StartAsync();
        Dovecot.AddUser(User, Password);
        Workspace = await IngestWorkspace.CreateAsync(Store);
    }

    public virtual Task DisposeAsync() => Teardown.DisposeAllAsync(Workspace, Dovecot);

    /// <summary>Configures the mailbox, reached directly or through <paramref name="port"/> (a proxy's).</summary>
    protected void Configure(object? mailbox = null, object? ingest = null, int? port = null, object? storage = null) =>
        Workspace.Configure(User, Dovecot.Host, port ?? Dovecot.Port, User, Password, mailbox, ingest, storage);

    /// <summary>Configures the mailbox as an IMAP one, on Dovecot's IMAP port or through <paramref name="port"/> (a proxy's).</summary>
    protected void ConfigureImap(object? mailbox = null, object? ingest = null, int? port = null, object? storage = null)
    {
        var settings = new JsonObject { ["Protocol"] = "Imap" };
        foreach (var (key, value) in JsonSerializer.SerializeToNode(mailbox ?? new { })!.AsObject())
        {
            settings[key] = value?.DeepClone();
        }

        Workspace.Configure(User, Dovecot.Host, port ?? Dovecot.ImapPort, User, Password, settings, ingest, storage);
    }
}
