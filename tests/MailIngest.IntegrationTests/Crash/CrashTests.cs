using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Crash;

/// <summary>
/// A delete-mode run killed with SIGKILL at each point of the core loop where the archive's state changes, then run
/// again: every message stored exactly once, none lost, the mailbox empty.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private const string User = "crash";
    private const string Password = "crash-pass";
    private const int Messages = 6;

    private readonly IngestWorkspace _workspace = new();
    private readonly List<byte[]> _delivered = [];
    private DovecotServer _dovecot = null!;

    public async Task InitializeAsync()
    {
        _dovecot = await DovecotServer.StartAsync();
        _dovecot.AddUser(User, Password);
        for (var n = 1; n <= Messages; n++)
        {
            // Message 3 is large, so that a cut inside its RETR is well inside the message.
            var message = TestMail.Numbered(n, paddingBytes: n == 3 ? 2_000_000 : 0);
            _delivered.Add(message);
            await _dovecot.DeliverAsync(User, message);
        }
    }

    public async Task DisposeAsync()
    {
        await _dovecot.DisposeAsync();
        _workspace.Dispose();
    }

    private void Configure(int port) => _workspace.Configure(
        "crash", _dovecot.Host, port, User, Password, new { DeleteAfterIngest = true, LedgerFlushEvery = 2 });

    [Theory]
    [InlineData("RawStored:3")]
    [InlineData("ManifestStored:3")]
    [InlineData("LedgerFlushing:2")]
    [InlineData("LedgerFlushing:4")]
    [InlineData("Committing:1")]
    public async Task Once_KilledAtStep_RerunStoresEachMessageOnceAndEmptiesTheMailbox(string faultPoint)
    {
        Configure(_dovecot.Port);

        var crashed = await _workspace.OnceAsync(new Dictionary<string, string> { ["MAILINGEST_FAULT_INJECTION"] = faultPoint });

        Assert.True(crashed.Killed, crashed.ToString());
        Assert.Equal(Messages, _dovecot.MessageCount(User));
        await AssertRerunCompletesExactlyOnceAsync();
    }

    [Fact]
    public async Task Once_KilledMidRetr_RerunStoresEachMessageOnceAndEmptiesTheMailbox()
    {
        // Stall the server's stream a megabyte into the large third message, then kill the client while it waits.
        await using var proxy = CuttingProxy.Start(_dovecot.Host, _dovecot.Port);
        proxy.Fault = ProxyFault.AfterServerBytes(_delivered.Take(2).Sum(m => m.Length) + 1_000_000).Stalling();
        Configure(proxy.Port);

        var process = _workspace.StartOnce();
        await proxy.FirstFault.WaitAsync(TimeSpan.FromSeconds(60));
        process.KillHard();
        var crashed = await process.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(crashed.Killed, crashed.ToString());
        Assert.Equal(Messages, _dovecot.MessageCount(User));
        proxy.Fault = null;
        await AssertRerunCompletesExactlyOnceAsync();
    }

    private async Task AssertRerunCompletesExactlyOnceAsync()
    {
        var rerun = await _workspace.OnceAsync();

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        var manifests = _workspace.Manifests();
        Assert.Equal(Messages, manifests.Count);
        Assert.Equal(Messages, manifests.Select(m => m.Uidl).Distinct().Count());
        Assert.Equal(_workspace.MessageFolders(), manifests.Select(m => m.Folder));
        Assert.Equal(_delivered.Select(Convert.ToHexString).Order(), manifests.Select(m => Convert.ToHexString(m.Raw)).Order());
        Assert.Equal(0, _dovecot.MessageCount(User));
        Assert.Empty(_workspace.TempFiles());
    }
}
