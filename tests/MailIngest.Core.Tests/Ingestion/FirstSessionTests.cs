using MailIngest.Core.Tests.Fakes;
using MailIngest.Ingestion;
using MailIngest.Sources;

namespace MailIngest.Core.Tests.Ingestion;

/// <summary>The first session of a run logs in while the ledger is read (SessionOpener), and only then.</summary>
public sealed class FirstSessionTests : IDisposable
{
    private readonly RunHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Run_LedgerStillBeingRead_FirstSessionLogsInMeanwhile()
    {
        _harness.DeliverMessages(2);
        await _harness.RunOkAsync();
        var loggedIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _harness.Server.OnOpen = () =>
        {
            loggedIn.TrySetResult();
            return null;
        };

        // The ledger's reads answer only once a session has logged in: a run that logged in after reading it would wait for ever.
        _harness.Archive.OnRead = path => path.StartsWith("state/", StringComparison.Ordinal) ? loggedIn.Task.WaitAsync(TimeSpan.FromSeconds(10)) : Task.CompletedTask;
        var result = await _harness.RunOkAsync();

        Assert.Equal(0, result.New);
        Assert.Equal(2, _harness.Server.Sessions);
    }

    [Fact]
    public async Task Run_LedgerNotValid_FailsNamingItAndClosesTheSessionOpenedMeanwhileWithoutAWord()
    {
        _harness.DeliverMessages(1);
        await _harness.Archive.WriteLedgerSnapshotAsync(RunHarness.Mailbox, "not json");

        var result = await _harness.RunAsync();

        Assert.Equal(MailboxRunStatus.Failed, result.Status);
        Assert.Contains("state/support.json", result.Error, StringComparison.Ordinal);
        Assert.Empty(_harness.Server.Commands);
        Assert.Equal(_harness.Server.Sessions, _harness.Server.Closed);
    }

    [Fact]
    public async Task Run_CircuitOpenedByARunWhoseEveryAttemptFailed_LogsInNoSessionAhead()
    {
        _harness.DeliverMessages(1);
        _harness.Server.OnOpen = () => new MailServerException("connection refused", MailServerFailure.Transient);
        Assert.Equal(MailboxRunStatus.Failed, (await _harness.RunAsync()).Status);
        var attempts = _harness.Server.Sessions;
        _harness.Server.OnOpen = () => null;

        var result = await _harness.RunAsync();

        Assert.Equal(MailboxRunStatus.Failed, result.Status);
        Assert.Contains("circuit is open", result.Error, StringComparison.Ordinal);
        Assert.Equal(attempts, _harness.Server.Sessions);
    }
}
