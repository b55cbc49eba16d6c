namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>An xunit class fixture owning one <see cref="DovecotServer"/> for all tests of a class.</summary>
/// <remarks>Tests sharing it should each use their own user, so their mailboxes and log lines stay apart.</remarks>
public sealed class DovecotFixture : IAsyncLifetime
{
    private DovecotServer? _server;

    public DovecotServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync() => _server = await DovecotServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
