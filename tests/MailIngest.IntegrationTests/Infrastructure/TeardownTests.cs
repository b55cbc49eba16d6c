using System.Diagnostics;
using System.Globalization;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>A fixture whose teardown fails on the way still leaves none of its processes running.</summary>
public sealed class TeardownTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task StopProcessAsync_AskingToStopThrows_StillKillsTheProcessAndItsChildren()
    {
        // A shell whose child outlives nothing but an explicit kill, as Dovecot's and PostgreSQL's children do.
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("sleep 600 & echo $!; wait");
        using var shell = Process.Start(info)!;
        var child = int.Parse((await shell.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
        Assert.True(IsAlive(child), $"the shell's child {child} should run");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Teardown.StopProcessAsync(shell, Patience, _ => throw new InvalidOperationException("asking to stop failed")));

        Assert.Equal("asking to stop failed", error.Message);
        Assert.True(shell.HasExited);
        await Eventually.HoldsAsync(() => !IsAlive(child), Patience, $"the shell's child {child} is gone");
    }

    [Fact]
    public async Task DisposeAllAsync_AnEarlierPartThrows_StillStopsTheMailIngestRunOfALaterOne()
    {
        var workspace = await IngestWorkspace.CreateAsync(StoreKind.FileSystem);
        workspace.Configure("idle", "127.0.0.1", FreePort.Find(), "idle", "unused");
        var run = workspace.Start(null, "run", "--config", workspace.ConfigPath).Id;
        Assert.True(IsAlive(run), "mailingest run should be running");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Teardown.DisposeAllAsync(new FailingPart(), workspace));

        Assert.Equal(FailingPart.Message, error.Message);
        await Eventually.HoldsAsync(() => !IsAlive(run), Patience, $"the workspace's mailingest run {run} is gone");
        Assert.False(Directory.Exists(workspace.Root));
    }

    /// <summary>True while the process exists and is not a zombie (a killed child that nobody has reaped yet is dead).</summary>
    private static bool IsAlive(int processId)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{processId}/stat");
        }
        catch (IOException)
        {
            return false;
        }

        // "pid (comm) state ...": comm may hold spaces and parentheses, the state follows the last ')'.
        var state = stat[(stat.LastIndexOf(')') + 2)..][0];
        return state is not ('Z' or 'X');
    }

    private sealed class FailingPart : IAsyncDisposable
    {
        public const string Message = "this part failed to stop";

        public ValueTask DisposeAsync() => throw new InvalidOperationException(Message);
    }
}
