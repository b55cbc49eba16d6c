using System.Text.Json.Nodes;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Security;

/// <summary>
/// Against a Dovecot without TLS (no STLS offered), a mailbox that does not say Security None is refused before any
/// login: the password never crosses the network in plaintext. Security None to a host that is not loopback is warned of.
/// </summary>
public sealed class PlaintextRefusedTests() : MailboxTest("plain")
{
    public static TheoryData<string?> NotNone => [null, "Auto", "StartTls"];

    [Theory]
    [MemberData(nameof(NotNone))]
    public async Task Once_ServerWithoutStls_IsRefusedUnlessSecurityIsNone(string? security)
    {
        await Dovecot.DeliverAsync(User, TestMail.Numbered(1));
        Configure(new { Security = security ?? "None" });
        if (security is null)
        {
            // The workspace writes Security None; without the key the default applies.
            var config = JsonNode.Parse(File.ReadAllText(Workspace.ConfigPath))!;
            config["MailIngest"]!["Mailboxes"]![User]!.AsObject().Remove("Security");
            File.WriteAllText(Workspace.ConfigPath, config.ToJsonString());
        }

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("offers no STLS", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Login: user=", Dovecot.ReadLog(), StringComparison.Ordinal);
        Assert.Empty(Workspace.Manifests());
    }

    [Fact]
    public async Task Once_SecurityNoneToHostThatIsNotLoopback_LogsAWarning()
    {
        // The warning comes before the connection, so a host that does not resolve is enough.
        Configure(new { Host = "pop.invalid", RetryAttempts = 0, Timeout = "00:00:05" });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("Security is None, so the password and all mail cross the network to pop.invalid:", run.Stderr, StringComparison.Ordinal);
    }
}
