using System.Text.Json.Nodes;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Imap;

/// <summary><c>check</c>, <c>plan</c>, <c>status</c> and <c>retry</c> for an IMAP mailbox against a real Dovecot.</summary>
public sealed class ImapVerbsTests() : MailboxTest("imapverbs")
{
    private static readonly string[] InboxAndArchive = ["INBOX", "Archive"];
    private static readonly string[] InboxAndNowhere = ["INBOX", "Nowhere"];

    private async Task DeliverAsync(string folder, int count, int first = 1)
    {
        for (var n = first; n < first + count; n++)
        {
            await Dovecot.DeliverAsync(User, folder, TestMail.Numbered(n));
        }
    }

    [Fact]
    public async Task Check_ImapMailbox_ShowsItsCapabilitiesAndEachFolder()
    {
        await DeliverAsync("INBOX", 2);
        await DeliverAsync("Archive", 1, 3);
        ConfigureImap(new { Folders = InboxAndArchive });

        var check = await Workspace.RunVerbAsync("check");

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains($"imapverbs: ok, logged in to 127.0.0.1:{Dovecot.ImapPort} as imapverbs WITHOUT TLS", check.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"capabilities:.*\bIDLE\b.*\bUIDPLUS\b.*\bMOVE\b.*\bCONDSTORE\b", check.Stdout);
        Assert.Matches(@"folder: +INBOX: 2 messages, UIDVALIDITY \d+, UIDNEXT 3", check.Stdout);
        Assert.Matches(@"folder: +Archive: 1 messages, UIDVALIDITY \d+, UIDNEXT 2", check.Stdout);
        Assert.All(Dovecot.ImapSessions(User), s => Assert.Equal(0, s.Bodies));
    }

    [Fact]
    public async Task Check_DeleteOnAServerWithoutUidplus_FailsAtLoginNamingTheCapability()
    {
        await using var limited = await DovecotServer.StartAsync(new DovecotOptions { ExtraSettings = ["imap_capability = IMAP4rev1 SASL-IR IDLE"] });
        limited.AddUser(User, Password);
        await limited.DeliverAsync(User, "INBOX", TestMail.Numbered(1));
        Workspace.Configure(User, limited.Host, limited.ImapPort, User, Password, new { Protocol = "Imap", DeleteAfterIngest = true });

        var check = await Workspace.RunVerbAsync("check");
        var once = await Workspace.OnceAsync();

        Assert.Equal(1, check.ExitCode);
        Assert.Contains("does not offer UIDPLUS, so DeleteAfterIngest cannot expunge exactly the ingested messages", check.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, once.ExitCode);
        Assert.Empty(Workspace.Manifests());
        Assert.Equal(1, limited.MessageCount(User, "INBOX"));
    }

    [Fact]
    public async Task Check_MissingFolder_FailsNamingIt()
    {
        ConfigureImap(new { Folders = InboxAndNowhere });

        var check = await Workspace.RunVerbAsync("check");

        Assert.Equal(1, check.ExitCode);
        Assert.Contains("has no folder 'Nowhere'", check.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanThenStatus_ImapMailbox_CountAcrossFoldersAndFetchNothing()
    {
        await DeliverAsync("INBOX", 3);
        await DeliverAsync("Archive", 2, 4);
        ConfigureImap(new { Folders = InboxAndArchive, MaxMessagesPerRun = 4, DeleteAfterIngest = true });

        var plan = await Workspace.RunVerbAsync("plan", "--json");

        Assert.True(plan.ExitCode == 0, plan.ToString());
        var mailbox = Assert.Single(JsonNode.Parse(plan.Stdout)!.AsArray())!["plan"]!;
        Assert.Equal(5, mailbox["onServer"]!.GetValue<int>());
        Assert.Equal(4, mailbox["fetch"]!.GetValue<int>());
        Assert.Equal(1, mailbox["later"]!.GetValue<int>());
        Assert.Equal(4, mailbox["delete"]!.GetValue<int>());
        Assert.Equal(Enumerable.Range(1, 4).Sum(n => (long)TestMail.Numbered(n).Length), mailbox["fetchBytes"]!.GetValue<long>());
        Assert.All(Dovecot.ImapSessions(User), s => Assert.Equal(0, s.Bodies));
        Assert.Empty(Workspace.Manifests());

        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
        var status = await Workspace.RunVerbAsync("status", "--json");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("\"stored\": 4", status.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, Dovecot.MessageCount(User, "Archive"));
    }

    [Fact]
    public async Task Retry_SkippedImapMessage_IsRecordedWithItsHeadersThenFetchedOnceTheLimitIsRaised()
    {
        await Dovecot.DeliverAsync(User, "INBOX", TestMail.Numbered(1));
        await Dovecot.DeliverAsync(User, "INBOX", TestMail.Numbered(2, paddingBytes: 50_000));
        ConfigureImap(new { MaxMessageSize = 10_000 });
        var first = await Workspace.OnceAsync();
        Assert.True(first.ExitCode == 0, first.ToString());
        var skipped = Workspace.Ledger(User)!.Entries().Single(e => e.State == Ledger.EntryState.Skipped);
        var record = JsonNode.Parse(Workspace.Archive.Read($"quarantine/{User}/{skipped.Key ?? Archive.ArchiveLayout.MessageKey(User, skipped.Id)}/error.json")!)!;
        Assert.Contains("Subject: Test message 2", record["headers"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, Dovecot.ImapSessions(User).Single().Headers);

        var retry = await Workspace.RunVerbAsync("retry", "--mailbox", User, skipped.Id);
        ConfigureImap(new { MaxMessageSize = 100_000 });
        var second = await Workspace.OnceAsync();

        Assert.True(retry.ExitCode == 0, retry.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("new 1, stored 1", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, Workspace.Manifests().Count);
    }
}
