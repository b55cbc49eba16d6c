using System.Text;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Crash;

/// <summary>The fault injection the crash tests use lives in the test host only: the shipped <c>mailingest</c> has none.</summary>
public sealed class ShippedBuildTests() : MailboxTest("shipped")
{
    private const string FaultVariable = "MAILINGEST_FAULT_INJECTION";

    [Fact]
    public async Task Once_FaultInjectionVariableSet_KillsTheTestHostButTheShippedMailingestStoresEverything()
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        await Dovecot.DeliverAsync(User, TestMail.Numbered(2));
        Configure();
        var fault = new Dictionary<string, string> { [FaultVariable] = "RawStored:1" };

        var testHost = await MailIngestProcess.RunAsync(Workspace.Root, fault, "once", "--config", Workspace.ConfigPath);
        var shipped = await MailIngestProcess.RunShippedAsync(Workspace.Root, fault, "once", "--config", Workspace.ConfigPath);

        Assert.True(testHost.Killed, testHost.ToString());
        Assert.True(shipped.ExitCode == 0, shipped.ToString());
        Assert.Equal(2, Workspace.Manifests().Count);
        // Not even the name: .NET keeps string literals as UTF-16 in the assembly.
        var assembly = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "mailingest.dll"));
        Assert.Equal(-1, assembly.AsSpan().IndexOf(Encoding.Unicode.GetBytes(FaultVariable)));
    }
}
