using System.Text.RegularExpressions;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Imap;

/// <summary><c>mailingest once</c> for an IMAP mailbox of two folders against a real Dovecot, into each store (docs/imap.md).</summary>
public abstract partial class ImapOnceTests(StoreKind store) : MailboxTest("imapper", store)
{
    private const string Archive = "Archive";

    private async Task<List<byte[]>> DeliverAsync(string folder, int count, int first)
    {
        var messages = Enumerable.Range(first, count).Select(n => TestMail.Numbered(n)).ToList();
        foreach (var message in messages)
        {
            await Dovecot.DeliverAsync(User, folder, message);
        }

        return messages;
    }

    [Fact]
    public async Task Once_TwoFolders_StoresEveryMessageOnceWithItsFolderAndUidAndSetsNoFlag()
    {
        var delivered = (await DeliverAsync("INBOX", 3, 1)).Concat(await DeliverAsync(Archive, 2, 4)).ToList();
        ConfigureImap(new { Folders = new[] { "INBOX", Archive } });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        var manifests = Workspace.Manifests();
        Assert.Equal(delivered.Select(Convert.ToHexString).Order(), manifests.Select(m => Convert.ToHexString(m.Raw)).Order());
        Assert.Equal(["INBOX", "INBOX", "INBOX", Archive, Archive], manifests.Select(m => m.Json["folder"]!.GetValue<string>()).Order(StringComparer.Ordinal).Reverse());
        Assert.All(manifests, m => Assert.Equal(
            $"{m.Json["uidValidity"]}:{m.Json["uid"]}@{m.Json["folder"]}", m.Uidl));
        Assert.Contains("imapper: ok, new 5, stored 5", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(5, Workspace.Ledger(User)!.Count);
        // BODY.PEEK[]: no message is flagged \Seen, and every one is still there.
        Assert.All(Dovecot.MessageFiles(User, "INBOX").Concat(Dovecot.MessageFiles(User, Archive)), file => Assert.DoesNotMatch(":2,.*S", file));
        Assert.Equal(3, Dovecot.MessageCount(User, "INBOX"));
        Assert.Equal(2, Dovecot.MessageCount(User, Archive));
        Assert.Empty(Workspace.TempFiles());
    }

    [Fact]
    public async Task Once_NoNewMail_IsOneStatusPerFolderAndNothingElse()
    {
        await DeliverAsync("INBOX", 2, 1);
        await DeliverAsync(Archive, 1, 3);
        await using var proxy = CuttingProxy.Start(Dovecot.Host, Dovecot.ImapPort);
        ConfigureImap(new { Folders = new[] { "INBOX", Archive } }, port: proxy.Port);
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
        var before = proxy.ClientText.Length;

        var poll = await Workspace.OnceAsync();

        Assert.True(poll.ExitCode == 0, poll.ToString());
        Assert.Contains("new 0, stored 0", poll.Stdout, StringComparison.Ordinal);
        var commands = Commands(proxy.ClientText[before..]);
        Assert.Equal(2, commands.Count(c => c.StartsWith("STATUS ", StringComparison.Ordinal)));
        // After login (CAPABILITY, AUTHENTICATE, MailKit's NAMESPACE and LIST of INBOX and the special folders) and the
        // LIST that finds the folder by name: STATUS alone, then LOGOUT. No SELECT, SEARCH or FETCH.
        Assert.DoesNotContain(commands, c => Regex.IsMatch(c, "^(SELECT|EXAMINE|UID|FETCH|SEARCH|STORE|EXPUNGE)\\b"));
        Assert.Equal("LOGOUT", commands[^1]);
        Assert.Equal(3, Workspace.Manifests().Count);
    }

    [Fact]
    public async Task Once_NewMailBetweenRuns_FetchesOnlyTheNewMessagesAboveTheOldUidNext()
    {
        await DeliverAsync("INBOX", 2, 1);
        await using var proxy = CuttingProxy.Start(Dovecot.Host, Dovecot.ImapPort);
        ConfigureImap(port: proxy.Port);
        Assert.Equal(0, (await Workspace.OnceAsync()).ExitCode);
        await DeliverAsync("INBOX", 3, 3);
        var before = proxy.ClientText.Length;

        var second = await Workspace.OnceAsync();

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("new 3, stored 3", second.Stdout, StringComparison.Ordinal);
        var commands = Commands(proxy.ClientText[before..]);
        Assert.True(commands.Any(c => Regex.IsMatch(c, @"^UID SEARCH .*UID 3:\*$")), string.Join('\n', commands));
        Assert.Equal([2, 3], Dovecot.ImapSessions(User).Select(s => s.Bodies));
        Assert.Equal(5, Workspace.Manifests().Count);
    }

    [Fact]
    public async Task Once_DeleteMode_ExpungesExactlyTheStoredMessages()
    {
        await DeliverAsync("INBOX", 4, 1);
        ConfigureImap(new { DeleteAfterIngest = true });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(4, Workspace.Manifests().Count);
        Assert.Equal(0, Dovecot.MessageCount(User, "INBOX"));
        Assert.Equal(4, Dovecot.ImapSessions(User).Single().Expunged);
        Assert.Equal(0, Workspace.Ledger(User)!.Count);
        Assert.Contains("deleted 4", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_MoveMode_MovesTheStoredMessagesAndMarksThemSeen()
    {
        await DeliverAsync("INBOX", 3, 1);
        Dovecot.FolderPath(User, "Processed");
        ConfigureImap(new { MoveToFolder = "Processed", MarkSeen = true });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(3, Workspace.Manifests().Count);
        Assert.Equal(0, Dovecot.MessageCount(User, "INBOX"));
        Assert.Equal(3, Dovecot.MessageCount(User, "Processed"));
        Assert.All(Dovecot.MessageFiles(User, "Processed"), file => Assert.Matches(":2,.*S", file));
        Assert.Equal(0, Workspace.Ledger(User)!.Count);
    }

    [Fact]
    public async Task Once_MarkSeen_FlagsOnlyStoredMessages()
    {
        await DeliverAsync("INBOX", 2, 1);
        ConfigureImap(new { MarkSeen = true });

        var run = await Workspace.OnceAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, Dovecot.MessageFiles(User, "INBOX").Count(file => Regex.IsMatch(file, ":2,.*S")));
        Assert.Equal(2, Workspace.Ledger(User)!.Count);
    }

    /// <summary>The commands in a client's transcript: each line's text after its tag (MailKit tags are "A" and digits).</summary>
    private static List<string> Commands(string transcript) =>
        [.. transcript.Split("\r\n").Select(line => TaggedCommand().Match(line)).Where(m => m.Success).Select(m => m.Groups["command"].Value)];

    [GeneratedRegex(@"^A\d+ (?<command>.*)$")]
    private static partial Regex TaggedCommand();
}

public sealed class ImapOnceOnFileSystemTests() : ImapOnceTests(StoreKind.FileSystem);

public sealed class ImapOnceOnAzureBlobTests() : ImapOnceTests(StoreKind.AzureBlob);
