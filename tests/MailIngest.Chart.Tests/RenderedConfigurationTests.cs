using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.Chart.Tests;

/// <summary>The appsettings.json the chart renders is a configuration the real mailingest accepts.</summary>
public sealed class RenderedConfigurationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mailingest-chart-" + Guid.NewGuid().ToString("N"));

    public RenderedConfigurationTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("ci/cronjob-values.yaml", "support", "sales", "billing")]
    [InlineData("ci/imap-values.yaml", "support", "archive", "legacy")]
    public async Task Once_RenderedConfigMap_PassesValidationAndRunsEveryMailbox(string valuesFile, params string[] mailboxes)
    {
        var config = Path.Combine(_folder, "appsettings.json");
        await File.WriteAllTextAsync(config, Helm.Render(valuesFile).AppSettings().ToJsonString());

        // What the pod gets from its environment and volumes, pointed at this machine: the archive in a temporary folder,
        // each mailbox at a loopback port that refuses at once, without reconnects, so every run fails fast after the
        // configuration passed.
        var environment = new Dictionary<string, string>
        {
            ["MailIngest__Storage__Provider"] = "FileSystem",
            ["MailIngest__Storage__Path"] = Path.Combine(_folder, "data"),
        };
        foreach (var mailbox in mailboxes)
        {
            environment[$"MailIngest__Mailboxes__{mailbox}__Password"] = "from-the-secret";
        }

        RefuseAtOnce(environment, mailboxes);

        var run = await MailIngestProcess.RunShippedAsync(_folder, environment, "once", "--config", config);

        Assert.DoesNotContain("Configuration error", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(mailboxes.Order(), run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':')[0]).Order());
    }

    [Fact]
    public async Task Once_RenderedMicrosoft365ConfigMap_PassesValidationAndAsksEntraForEachToken()
    {
        var config = Path.Combine(_folder, "appsettings.json");
        await File.WriteAllTextAsync(config, Helm.Render("ci/microsoft365-values.yaml").AppSettings().ToJsonString());
        using var key = RSA.Create(2048);
        var certificate = Path.Combine(_folder, "app.pem");
        using (var selfSigned = new CertificateRequest("CN=app", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1)))
        {
            await File.WriteAllTextAsync(certificate, selfSigned.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
        }

        var federatedToken = Path.Combine(_folder, "azure-identity-token");
        await File.WriteAllTextAsync(federatedToken, "federated-token");

        // What the pod gets from its Secrets, volumes and the workload identity webhook, pointed at this machine: an archive
        // in a temporary folder, and an Entra authority and mail servers at a loopback port that refuses at once, so every
        // mailbox fails fast, without reconnects, after the configuration passed.
        var environment = new Dictionary<string, string>
        {
            ["MailIngest__Storage__Provider"] = "FileSystem",
            ["MailIngest__Storage__Path"] = Path.Combine(_folder, "data"),
            ["MailIngest__Mailboxes__support__Microsoft365__ClientSecret"] = "from-the-secret",
            ["MailIngest__Mailboxes__billing__Microsoft365__ClientCertificateFile"] = certificate,
            ["MailIngest__Mailboxes__legacy__Password"] = "from-the-secret",
            ["AZURE_TENANT_ID"] = "55555555-6666-7777-8888-999999999999",
            ["AZURE_CLIENT_ID"] = "00000000-1111-2222-3333-444444444444",
            ["AZURE_FEDERATED_TOKEN_FILE"] = federatedToken,
            ["AZURE_AUTHORITY_HOST"] = "https://127.0.0.1:9",
        };
        RefuseAtOnce(environment, "support", "billing", "sales", "legacy");

        var run = await MailIngestProcess.RunShippedAsync(_folder, environment, "once", "--config", config);

        Assert.DoesNotContain("Configuration error", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        foreach (var mailbox in new[] { "support", "billing", "sales" })
        {
            Assert.Contains($"cannot get a token from Microsoft Entra ID for mailbox {mailbox}", run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Once_RenderedWebhookConfigMap_PassesTheEventsValidatorWithTheMountedSecret()
    {
        var config = Path.Combine(_folder, "appsettings.json");
        await File.WriteAllTextAsync(config, Helm.Render("ci/events-webhook-values.yaml").AppSettings().ToJsonString());
        var secret = Path.Combine(_folder, "signing-secret");
        await File.WriteAllTextAsync(secret, "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");

        // What the pod gets from its Secrets and volumes, pointed at this machine: the archive in a temporary folder, the
        // signing secret's volume here rather than under /var/run/secrets (the rendered path is checked in
        // ChartRenderingTests), and the mailbox at a loopback port that refuses at once, so the run fails fast after the
        // configuration, the events section included, passed.
        var environment = new Dictionary<string, string>
        {
            ["MailIngest__Storage__Path"] = Path.Combine(_folder, "data"),
            ["MailIngest__Events__SecretFile"] = secret,
            ["MailIngest__Mailboxes__support__Password"] = "from-the-secret",
        };
        RefuseAtOnce(environment, "support");

        var run = await MailIngestProcess.RunShippedAsync(_folder, environment, "once", "--config", config);

        Assert.DoesNotContain("Configuration error", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("support:", run.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Points each mailbox at a loopback port that refuses at once, without reconnects.</summary>
    private static void RefuseAtOnce(Dictionary<string, string> environment, params string[] mailboxes)
    {
        foreach (var mailbox in mailboxes)
        {
            environment[$"MailIngest__Mailboxes__{mailbox}__Host"] = "127.0.0.1";
            environment[$"MailIngest__Mailboxes__{mailbox}__Port"] = "9";
            environment[$"MailIngest__Mailboxes__{mailbox}__Security"] = "None";
            environment[$"MailIngest__Mailboxes__{mailbox}__RetryAttempts"] = "0";
        }
    }
}
