using System.Text.Json.Nodes;
using MailIngest.Host.Cli;
using YamlDotNet.RepresentationModel;

namespace MailIngest.Chart.Tests;

/// <summary><c>helm lint</c> and <c>helm template</c> over the chart's example values, with assertions on the parsed manifests.</summary>
public sealed class ChartRenderingTests
{
    private const string ConfigPath = "/etc/mailingest/appsettings.json";

    private const string WebhookSecretVolume = "webhook-signing-secret";

    [Theory]
    [InlineData("")]
    [InlineData("ci/cronjob-values.yaml")]
    [InlineData("ci/sharded-values.yaml")]
    [InlineData("ci/deployment-values.yaml")]
    [InlineData("ci/workload-identity-values.yaml")]
    [InlineData("ci/microsoft365-values.yaml")]
    [InlineData("ci/imap-values.yaml")]
    [InlineData("ci/events-webhook-values.yaml")]
    [InlineData("ci/events-queue-values.yaml")]
    public void Lint_ExampleValues_Passes(string valuesFile)
    {
        var result = valuesFile.Length == 0 ? Helm.Lint() : Helm.Lint(valuesFile);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
    }

    [Fact]
    public void Template_Defaults_CronJobRunningOnceWithHardenedPod()
    {
        var rendered = Helm.Render();

        Assert.Equal(["ServiceAccount", "ConfigMap", "CronJob"], rendered.Kinds);
        var cronJob = rendered.Single("CronJob");
        Assert.Equal("Forbid", cronJob.Text("spec", "concurrencyPolicy"));
        Assert.Equal(120, cronJob.Int("spec", "startingDeadlineSeconds"));
        Assert.Equal(3, cronJob.Int("spec", "successfulJobsHistoryLimit"));
        Assert.Equal(3, cronJob.Int("spec", "failedJobsHistoryLimit"));
        var job = cronJob.Map("spec", "jobTemplate", "spec");
        Assert.Equal(1, job.Int("backoffLimit"));
        Assert.Equal(86400, job.Int("ttlSecondsAfterFinished"));
        Assert.False(job.Has("completionMode"));
        Assert.Equal("Never", rendered.PodTemplate().Text("spec", "restartPolicy"));
        Assert.Equal(["once", "--config", ConfigPath, "--log-format", "json"], rendered.Args());

        var pod = rendered.PodTemplate().Map("spec", "securityContext");
        Assert.Equal("true", pod.Text("runAsNonRoot"));
        Assert.Equal("RuntimeDefault", pod.Text("seccompProfile", "type"));
        var container = rendered.Container().Map("securityContext");
        Assert.Equal("true", container.Text("runAsNonRoot"));
        Assert.Equal("true", container.Text("readOnlyRootFilesystem"));
        Assert.Equal("false", container.Text("allowPrivilegeEscalation"));
        Assert.Equal("ALL", ((YamlScalarNode)Assert.Single(container.Seq("capabilities", "drop"))).Value);
        Assert.Equal("false", rendered.PodTemplate().Text("spec", "automountServiceAccountToken"));
    }

    [Fact]
    public void Template_Defaults_TempOnAnEmptyDirAndConfigMountedWhereArgsPointTo()
    {
        var rendered = Helm.Render();

        var mounts = rendered.Container().Seq("volumeMounts").Cast<YamlMappingNode>().ToDictionary(m => m.Text("name"), m => m.Text("mountPath"));
        Assert.Equal("/tmp", mounts["tmp"]);
        Assert.Equal(Path.GetDirectoryName(ConfigPath), mounts["config"]);
        var volumes = rendered.PodTemplate().Seq("spec", "volumes").Cast<YamlMappingNode>().ToDictionary(v => v.Text("name"));
        Assert.True(volumes["tmp"].Has("emptyDir"));
        Assert.Equal(rendered.Single("ConfigMap").Text("metadata", "name"), volumes["config"].Text("configMap", "name"));
        Assert.NotNull(rendered.AppSettings()["MailIngest"]);
    }

    [Fact]
    public void Template_CronJobValues_DeadlineIsTheSumOfMaxRunTimesPlusGrace()
    {
        var rendered = Helm.Render("ci/cronjob-values.yaml");

        // support and billing take mailboxDefaults' 00:05:00, sales its own 00:02:00; 60 s grace each.
        var job = rendered.Single("CronJob").Map("spec", "jobTemplate", "spec");
        Assert.Equal(300 + 120 + 300 + 3 * 60, job.Int("activeDeadlineSeconds"));
        Assert.Equal("Europe/Berlin", rendered.Single("CronJob").Text("spec", "timeZone"));
    }

    [Fact]
    public void Template_CronJobValues_SettingsInTheConfigMapPasswordsOnlyBySecretReference()
    {
        var rendered = Helm.Render("ci/cronjob-values.yaml");

        var settings = rendered.AppSettings()["MailIngest"]!;
        Assert.Equal(1995, (int)settings["Mailboxes"]!["sales"]!["Port"]!);
        Assert.Equal("00:02:00", (string?)settings["Mailboxes"]!["sales"]!["MaxRunTime"]);
        Assert.Equal(157286400, (int)settings["Mailboxes"]!["sales"]!["MaxMessageSize"]!);
        Assert.True((bool)settings["Mailboxes"]!["support"]!["DeleteAfterIngest"]!);
        Assert.Equal(500, (int)settings["Decoding"]!["MaxParts"]!);
        Assert.Equal("/data", (string?)settings["Storage"]!["Path"]);
        Assert.DoesNotContain(Keys(rendered.AppSettings()), key => key.Contains("password", StringComparison.OrdinalIgnoreCase));

        Assert.DoesNotContain("Secret", rendered.Kinds);
        var passwords = rendered.Env().Where(e => e.Key.EndsWith("__Password", StringComparison.Ordinal)).ToList();
        Assert.Equal(["billing", "sales", "support"], passwords.Select(p => p.Key.Split("__")[2]).Order());
        Assert.All(passwords, p =>
        {
            Assert.False(p.Value.Has("value"));
            Assert.Equal("mailingest-passwords", p.Value.Text("valueFrom", "secretKeyRef", "name"));
            Assert.Equal(p.Key.Split("__")[2], p.Value.Text("valueFrom", "secretKeyRef", "key"));
        });
    }

    [Fact]
    public void Template_CronJobValues_NetworkPolicyAllowsDnsAndEachMailboxPortOnly()
    {
        var rendered = Helm.Render("ci/cronjob-values.yaml");

        var policy = rendered.Single("NetworkPolicy").Map("spec");
        Assert.Equal(["Ingress", "Egress"], policy.Seq("policyTypes").Select(t => ((YamlScalarNode)t).Value));
        Assert.False(policy.Has("ingress"));
        var ports = policy.Seq("egress").Cast<YamlMappingNode>()
            .SelectMany(rule => rule.Seq("ports").Cast<YamlMappingNode>().Select(p => p.Int("port")))
            .Distinct().Order();
        // 995: support (SslOnConnect), 1995: sales, 110: billing (StartTls); FileSystem storage needs no port.
        Assert.Equal([53, 110, 995, 1995], ports);
    }

    [Fact]
    public void Template_ImapValues_ImapKeysInTheConfigMapAndImapPortsInTheNetworkPolicy()
    {
        var rendered = Helm.Render("ci/imap-values.yaml");

        var mailboxes = rendered.AppSettings()["MailIngest"]!["Mailboxes"]!;
        var support = mailboxes["support"]!;
        Assert.Equal("Imap", (string?)support["Protocol"]);
        Assert.Equal(["INBOX", "Escalations"], support["Folders"]!.AsArray().Select(f => (string?)f));
        Assert.Equal("Ingested", (string?)support["MoveToFolder"]);
        Assert.True((bool)support["MarkSeen"]!);
        Assert.True((bool)support["Idle"]!);
        Assert.Equal("Imap", (string?)mailboxes["archive"]!["Protocol"]);
        Assert.Equal("Pop3", (string?)mailboxes["legacy"]!["Protocol"]);
        var ports = rendered.Single("NetworkPolicy").Map("spec").Seq("egress").Cast<YamlMappingNode>()
            .SelectMany(rule => rule.Seq("ports").Cast<YamlMappingNode>().Select(p => p.Int("port")))
            .Distinct().Order();
        // 993: support (IMAP, Auto), 1143: archive, 995: legacy (POP3, Auto), 443: Azure storage.
        Assert.Equal([53, 443, 993, 995, 1143], ports);
    }

    [Fact]
    public void Template_Sharded_IndexedJobWithOneShardPerPod()
    {
        var rendered = Helm.Render("ci/sharded-values.yaml");

        var job = rendered.Single("CronJob").Map("spec", "jobTemplate", "spec");
        Assert.Equal("Indexed", job.Text("completionMode"));
        Assert.Equal(3, job.Int("completions"));
        Assert.Equal(3, job.Int("parallelism"));
        Assert.Equal(["once", "--config", ConfigPath, "--log-format", "json", "--shard", "$(JOB_COMPLETION_INDEX)/3"], rendered.Args());
        Assert.Equal(
            "metadata.annotations['batch.kubernetes.io/job-completion-index']",
            rendered.Env()["JOB_COMPLETION_INDEX"].Text("valueFrom", "fieldRef", "fieldPath"));
    }

    [Fact]
    public void Template_Sharded_DeadlineFitsTheBusiestShardAsMailingestAssignsThem()
    {
        // The maxRunTime minutes of ci/sharded-values.yaml, all different, so only the program's own assignment gives this deadline.
        var minutes = new Dictionary<string, int> { ["support"] = 1, ["sales"] = 2, ["billing"] = 3, ["hr"] = 4, ["info"] = 5, ["jobs"] = 6, ["press"] = 7 };
        var busiest = minutes.GroupBy(m => Shard.ShardOf(m.Key, 3)).Max(shard => shard.Sum(m => (m.Value * 60) + 60));

        var rendered = Helm.Render("ci/sharded-values.yaml");

        Assert.Equal(busiest, rendered.Single("CronJob").Int("spec", "jobTemplate", "spec", "activeDeadlineSeconds"));
    }

    [Fact]
    public void Template_Deployment_RunsTheSchedulerClusteredWithSecretsByReference()
    {
        var rendered = Helm.Render("ci/deployment-values.yaml");

        Assert.DoesNotContain("CronJob", rendered.Kinds);
        var deployment = rendered.Single("Deployment");
        Assert.Equal(2, deployment.Int("spec", "replicas"));
        Assert.Equal(["run", "--config", ConfigPath, "--log-format", "json"], rendered.Args());
        Assert.True((bool)rendered.AppSettings()["MailIngest"]!["Scheduler"]!["Clustered"]!);
        var env = rendered.Env();
        Assert.Equal("mailingest-quartz", env["MailIngest__Scheduler__ConnectionString"].Text("valueFrom", "secretKeyRef", "name"));
        Assert.Equal("mailingest-storage", env["MailIngest__Storage__ConnectionString"].Text("valueFrom", "secretKeyRef", "name"));
        Assert.All(env.Values, e => Assert.False(e.Text("name").Contains("ConnectionString", StringComparison.Ordinal) && e.Has("value")));
        Assert.False(rendered.PodTemplate().Map("spec").Has("restartPolicy"));
    }

    [Fact]
    public void Template_WorkloadIdentity_ServiceAccountAnnotatedAndPodLabelled()
    {
        var rendered = Helm.Render("ci/workload-identity-values.yaml");

        var account = rendered.Single("ServiceAccount");
        Assert.Equal("00000000-1111-2222-3333-444444444444", account.Text("metadata", "annotations", "azure.workload.identity/client-id"));
        Assert.Equal("55555555-6666-7777-8888-999999999999", account.Text("metadata", "annotations", "azure.workload.identity/tenant-id"));
        Assert.Equal("mail-team", account.Text("metadata", "annotations", "example.com/owner"));
        Assert.Equal("true", rendered.PodTemplate().Text("metadata", "labels", "azure.workload.identity/use"));
        Assert.Equal(account.Text("metadata", "name"), rendered.PodTemplate().Text("spec", "serviceAccountName"));
        Assert.Equal("https://mailarchive.blob.core.windows.net", (string?)rendered.AppSettings()["MailIngest"]!["Storage"]!["ServiceUri"]);
        Assert.DoesNotContain(rendered.Env().Keys, key => key.StartsWith("MailIngest__Storage__", StringComparison.Ordinal));
        var ports = rendered.Single("NetworkPolicy").Seq("spec", "egress").Cast<YamlMappingNode>()
            .SelectMany(rule => rule.Seq("ports").Cast<YamlMappingNode>().Select(p => p.Int("port")));
        Assert.Contains(443, ports);
    }

    [Fact]
    public void Template_Microsoft365_SettingsInTheConfigMapClientSecretOnlyBySecretReference()
    {
        var rendered = Helm.Render("ci/microsoft365-values.yaml");

        var mailboxes = rendered.AppSettings()["MailIngest"]!["Mailboxes"]!;
        Assert.Equal("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", (string?)mailboxes["support"]!["Microsoft365"]!["ClientId"]);
        Assert.Equal("/var/run/secrets/m365/app.pem", (string?)mailboxes["billing"]!["Microsoft365"]!["ClientCertificateFile"]);
        Assert.True((bool)mailboxes["sales"]!["Microsoft365"]!["WorkloadIdentity"]!);
        Assert.DoesNotContain(Keys(rendered.AppSettings()), key => key.Contains("secret", StringComparison.OrdinalIgnoreCase));

        var env = rendered.Env();
        var clientSecret = env["MailIngest__Mailboxes__support__Microsoft365__ClientSecret"];
        Assert.False(clientSecret.Has("value"));
        Assert.Equal("mailingest-m365", clientSecret.Text("valueFrom", "secretKeyRef", "name"));
        Assert.Equal("client-secret", clientSecret.Text("valueFrom", "secretKeyRef", "key"));
        Assert.Equal(["MailIngest__Mailboxes__legacy__Password"], env.Keys.Where(key => key.EndsWith("__Password", StringComparison.Ordinal)));
        Assert.Equal("true", rendered.PodTemplate().Text("metadata", "labels", "azure.workload.identity/use"));
    }

    [Fact]
    public void Template_SinkNone_NothingAboutEvents()
    {
        var rendered = Helm.Render("ci/cronjob-values.yaml");

        Assert.Null(rendered.AppSettings()["MailIngest"]!["Events"]);
        Assert.DoesNotContain(rendered.Env().Keys, key => key.StartsWith("MailIngest__Events__", StringComparison.Ordinal));
        Assert.DoesNotContain(rendered.PodTemplate().Seq("spec", "volumes").Cast<YamlMappingNode>(), v => v.Text("name") == WebhookSecretVolume);
        Assert.DoesNotContain(rendered.Container().Seq("volumeMounts").Cast<YamlMappingNode>(), m => m.Text("name") == WebhookSecretVolume);
    }

    [Fact]
    public void Template_EventsWebhook_UrlAndSecretFileInTheConfigMapSecretMountedReadOnlyFromItsVolume()
    {
        var result = Helm.Template("ci/events-webhook-values.yaml");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var rendered = Rendered.Parse(result.Stdout);

        var events = rendered.AppSettings()["MailIngest"]!["Events"]!;
        Assert.Equal("Webhook", (string?)events["Sink"]);
        Assert.Equal("https://tickets.example.com:8443/mail-events", (string?)events["Url"]);
        Assert.Equal("00:00:10", (string?)events["DeliveryTimeout"]);
        Assert.Equal("00:02:00", (string?)events["DeliveryBudget"]);
        Assert.Null(events["RedeliveryInterval"]);
        Assert.Null(events["QueueName"]);
        var secretFile = (string)events["SecretFile"]!;

        // The file SecretFile names is the Secret's key, projected into a read-only mount of the whole volume (no subPath, so a rotated secret arrives).
        var mount = Assert.Single(rendered.Container().Seq("volumeMounts").Cast<YamlMappingNode>(), m => m.Text("name") == WebhookSecretVolume);
        Assert.Equal("true", mount.Text("readOnly"));
        Assert.False(mount.Has("subPath"));
        var volume = Assert.Single(rendered.PodTemplate().Seq("spec", "volumes").Cast<YamlMappingNode>(), v => v.Text("name") == WebhookSecretVolume);
        Assert.Equal("mailingest-webhook", volume.Text("secret", "secretName"));
        var item = (YamlMappingNode)Assert.Single(volume.Seq("secret", "items"));
        Assert.Equal("secret", item.Text("key"));
        Assert.Equal(secretFile, mount.Text("mountPath") + "/" + item.Text("path"));

        Assert.DoesNotContain(rendered.Env().Keys, key => key.StartsWith("MailIngest__Events__", StringComparison.Ordinal));
        Assert.DoesNotContain("whsec_", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret", rendered.Kinds);

        var rules = rendered.Single("NetworkPolicy").Seq("spec", "egress").Cast<YamlMappingNode>();
        var sink = Assert.Single(rules, rule => rule.Has("to") && rule.Seq("to").Cast<YamlMappingNode>().Any(to => to.Text("ipBlock", "cidr") == "203.0.113.0/24"));
        Assert.Equal([8443], sink.Seq("ports").Cast<YamlMappingNode>().Select(p => p.Int("port")));
    }

    [Fact]
    public void Template_EventsQueue_ConnectionStringOnlyBySecretReference()
    {
        var rendered = Helm.Render("ci/events-queue-values.yaml");

        var events = rendered.AppSettings()["MailIngest"]!["Events"]!;
        Assert.Equal("AzureQueue", (string?)events["Sink"]);
        Assert.Equal("mail-arrived", (string?)events["QueueName"]);
        Assert.Equal("00:05:00", (string?)events["RedeliveryInterval"]);
        Assert.Null(events["ServiceUri"]);
        Assert.Null(events["ConnectionString"]);
        Assert.Null(events["SecretFile"]);
        var connectionString = rendered.Env()["MailIngest__Events__ConnectionString"];
        Assert.False(connectionString.Has("value"));
        Assert.Equal("mailingest-events", connectionString.Text("valueFrom", "secretKeyRef", "name"));
        Assert.Equal("connection-string", connectionString.Text("valueFrom", "secretKeyRef", "key"));
        Assert.DoesNotContain(rendered.PodTemplate().Seq("spec", "volumes").Cast<YamlMappingNode>(), v => v.Text("name") == WebhookSecretVolume);
    }

    [Theory]
    [InlineData("microsoft365-workload-identity-disabled.yaml", "workloadIdentity.enabled")]
    [InlineData("microsoft365-and-password.yaml", "both passwordSecret and microsoft365")]
    [InlineData("shards-not-a-number.yaml", "shards")]
    [InlineData("unknown-mode.yaml", "mode")]
    [InlineData("inline-password.yaml", "password")]
    [InlineData("unclustered-replicas.yaml", "scheduler.clustered")]
    [InlineData("filesystem-without-claim.yaml", "storage.existingClaim")]
    [InlineData("unlimited-run-time.yaml", "cronjob.activeDeadlineSeconds")]
    [InlineData("imap-key-on-pop3.yaml", "mailboxes.support.folders is an IMAP setting")]
    [InlineData("idle-in-cronjob.yaml", "mailboxes.support.idle needs mode: deployment")]
    [InlineData("webhook-without-url.yaml", "events.sink Webhook needs events.url")]
    [InlineData("webhook-without-signing-secret.yaml", "events.sink Webhook needs events.signingSecret")]
    [InlineData("inline-signing-secret.yaml", "additional properties 'secret' not allowed")]
    [InlineData("queue-without-endpoint.yaml", "events.sink AzureQueue needs events.serviceUri")]
    [InlineData("queue-with-both-credentials.yaml", "has both events.serviceUri and events.connectionStringSecret")]
    public void Template_InvalidValues_FailsNamingTheValue(string valuesFile, string message)
    {
        var result = Helm.Template(Path.Combine(AppContext.BaseDirectory, "InvalidValues", valuesFile));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Keys(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Keys(p.Value).Prepend(p.Key)),
        JsonArray a => a.SelectMany(Keys),
        _ => [],
    };
}
