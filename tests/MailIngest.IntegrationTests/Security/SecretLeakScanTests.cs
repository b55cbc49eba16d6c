using System.Text;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Security;

/// <summary>
/// A distinctive password, given by PasswordFile, appears nowhere a run writes: standard output and error of
/// <c>once</c> and <c>check</c>, the protocol log, and every file in the workspace (archive, ledger, temp files).
/// </summary>
public sealed class SecretLeakScanTests() : MailboxTest("leakscan")
{
    private const string LeakUser = "leakscan2";
    private const string Secret = "Zq8-leak-canary-5d1e";

    [Fact]
    public async Task OnceAndCheck_WithProtocolLog_WriteThePasswordNowhere()
    {
        Dovecot.AddUser(LeakUser, Secret);
        for (var n = 1; n <= 2; n++)
        {
            await Dovecot.DeliverAsync(LeakUser, TestMail.Numbered(n));
        }

        // Outside the workspace, so that every file in it can be scanned.
        var secretFolder = Directory.CreateTempSubdirectory("mailingest-secret-").FullName;
        try
        {
            var passwordFile = Path.Combine(secretFolder, "password");
            await File.WriteAllTextAsync(passwordFile, Secret + "\n");
            Workspace.Configure(LeakUser, Dovecot.Host, Dovecot.Port, LeakUser, "", new { PasswordFile = passwordFile });
            var protocolLog = Path.Combine(Workspace.Root, "pop3.log");

            var once = await MailIngestProcess.RunAsync(Workspace.Root, null, "once", "--config", Workspace.ConfigPath, "--protocol-log", protocolLog);
            var check = await MailIngestProcess.RunAsync(Workspace.Root, null, "check", "--config", Workspace.ConfigPath, "--protocol-log", protocolLog);

            Assert.True(once.ExitCode == 0, once.ToString());
            Assert.True(check.ExitCode == 0, check.ToString());
            Assert.Equal(2, Workspace.Manifests().Count);
            Assert.Contains("RETR 2", await File.ReadAllTextAsync(protocolLog), StringComparison.Ordinal);
            var forms = SecretForms();
            var outputs = new Dictionary<string, string>
            {
                ["once stdout"] = once.Stdout,
                ["once stderr"] = once.Stderr,
                ["check stdout"] = check.Stdout,
                ["check stderr"] = check.Stderr,
            };
            foreach (var file in Directory.EnumerateFiles(Workspace.Root, "*", SearchOption.AllDirectories))
            {
                outputs[file] = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file));
            }

            Assert.Contains(protocolLog, outputs.Keys);
            var leaks = outputs.SelectMany(output => forms.Where(form => output.Value.Contains(form.Value, StringComparison.Ordinal)).Select(form => $"{form.Key} in {output.Key}"));
            Assert.Empty(leaks);
        }
        finally
        {
            Directory.Delete(secretFolder, recursive: true);
        }
    }

    /// <summary>The password as written, and as SASL PLAIN and LOGIN send it (base64).</summary>
    private static Dictionary<string, string> SecretForms() => new()
    {
        ["password"] = Secret,
        ["PLAIN"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{LeakUser}\0{Secret}")),
        ["LOGIN"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)),
    };
}
