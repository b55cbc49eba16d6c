using System.Text;
using MailIngest.Ingestion;
using static MailIngest.Imap.Tests.Replay.Recorded;

namespace MailIngest.Imap.Tests.Replay;

/// <summary>
/// Gmail, replayed (Resources/gmail: MailKit's recordings of Gmail's greeting, capabilities, login, NAMESPACE, XLIST and
/// STATUS): a message with two labels is in INBOX and in [Gmail]/All Mail under two UIDs and one X-GM-MSGID, and is
/// fetched and stored once.
/// </summary>
public sealed class GmailTests : IDisposable
{
    private const string AllMail = "[Gmail]/All Mail";

    private static readonly string PlainLogin = Convert.ToBase64String(Encoding.ASCII.GetBytes($"\0{ImapReplay.User}\0{ImapReplay.Password}"));

    private readonly ImapReplay _replay = new();

    public void Dispose() => _replay.Dispose();

    private static Dictionary<string, string?> BothFolders() => new()
    {
        ["Folders:0"] = "INBOX",
        ["Folders:1"] = AllMail,
    };

    /// <summary>Gmail's login as MailKit recorded it, then what MailKit asks after it.</summary>
    private static IEnumerable<ImapExchange> Login()
    {
        yield return new(null, Answer("gmail/greeting.txt"));
        yield return new("CAPABILITY", Answer("gmail/capability.txt"));
        yield return new($"AUTHENTICATE PLAIN {PlainLogin}", Answer("gmail/authenticate.txt"));
        yield return new("NAMESPACE", Answer("gmail/namespace.txt"));
        yield return new("LIST \"\" \"INBOX\" RETURN (SUBSCRIBED CHILDREN)", Answer("gmail/list-inbox.txt"));
        yield return new("XLIST \"\" \"*\"", Answer("gmail/xlist.txt"));
    }

    private static IEnumerable<ImapExchange> Status(uint inboxNext, int inboxCount, uint allNext, int allCount)
    {
        yield return new("STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)", $"* STATUS \"INBOX\" (MESSAGES {inboxCount} UIDNEXT {inboxNext} UIDVALIDITY 1)\r\n" + Ok());
        yield return new($"STATUS \"{AllMail}\" (MESSAGES UIDNEXT UIDVALIDITY)", $"* STATUS \"{AllMail}\" (MESSAGES {allCount} UIDNEXT {allNext} UIDVALIDITY 11)\r\n" + Ok());
    }

    private static ImapExchange Examine(string folder, uint uidValidity, int exists, uint uidNext) => new(
        $"EXAMINE {(folder.Contains(' ', StringComparison.Ordinal) ? $"\"{folder}\"" : folder)} (CONDSTORE)",
        $"* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen $Phishing $NotPhishing)\r\n* OK [PERMANENTFLAGS ()] Flags permitted.\r\n" +
        $"* OK [UIDVALIDITY {uidValidity}] UIDs valid.\r\n* {exists} EXISTS\r\n* 0 RECENT\r\n* OK [UIDNEXT {uidNext}] Predicted next UID.\r\n" +
        $"* OK [HIGHESTMODSEQ 35312]\r\nA######## OK [READ-ONLY] {folder} selected. (Success)\r\n");

    [Fact]
    public async Task Run_MessageUnderTwoLabels_IsFetchedOnceStoredOnceAndTheNextPollIsStatusOnly()
    {
        var first = Login().Concat(Status(7, 2, 23, 3)).Concat(
        [
            Examine("INBOX", 1, 2, 7),
            new("UID SEARCH RETURN (ALL) ALL", "* ESEARCH (TAG \"A########\") UID ALL 5:6\r\n" + Ok("SEARCH completed (Success)")),
            new("UID FETCH 5:6 (UID X-GM-MSGID)", "* 1 FETCH (X-GM-MSGID 1278455344230334865 UID 5)\r\n* 2 FETCH (X-GM-MSGID 1278455344230334866 UID 6)\r\n" + Ok()),
            Examine(AllMail, 11, 3, 23),
            new("UID SEARCH RETURN (ALL) ALL", "* ESEARCH (TAG \"A########\") UID ALL 20:22\r\n" + Ok("SEARCH completed (Success)")),
            new("UID FETCH 20:22 (UID X-GM-MSGID)",
                "* 1 FETCH (X-GM-MSGID 1278455344230334865 UID 20)\r\n* 2 FETCH (X-GM-MSGID 1278455344230334866 UID 21)\r\n* 3 FETCH (X-GM-MSGID 1278455344230334867 UID 22)\r\n" + Ok()),
            Examine("INBOX", 1, 2, 7),
            new("UID FETCH 5:6 (UID RFC822.SIZE)", $"* 1 FETCH (UID 5 RFC822.SIZE {Message(1).Length})\r\n* 2 FETCH (UID 6 RFC822.SIZE {Message(2).Length})\r\n" + Ok()),
            Examine(AllMail, 11, 3, 23),
            new("UID FETCH 22 (UID RFC822.SIZE)", $"* 3 FETCH (UID 22 RFC822.SIZE {Message(3).Length})\r\n" + Ok()),
            Examine("INBOX", 1, 2, 7),
            new("UID FETCH 5:6 (BODY.PEEK[])", $"* 1 FETCH (UID 5 BODY[] {Literal(Message(1))})\r\n* 2 FETCH (UID 6 BODY[] {Literal(Message(2))})\r\n" + Ok()),
            Examine(AllMail, 11, 3, 23),
            new("UID FETCH 22 (BODY.PEEK[])", $"* 3 FETCH (UID 22 BODY[] {Literal(Message(3))})\r\n" + Ok()),
            new("LOGOUT", Answer("gmail/logout.txt")),
        ]);
        var second = Login().Concat(Status(7, 2, 23, 3)).Append(new("LOGOUT", Answer("gmail/logout.txt")));

        var run = await _replay.RunAsync(BothFolders(), first);
        var poll = await _replay.RunAsync(BothFolders(), second);

        Assert.All(_replay.Played, session => Assert.True(session.Unexpected is null, session.Unexpected));
        Assert.True(run.Status == MailboxRunStatus.Succeeded, run.Summary);
        Assert.Equal(3, run.Stored);
        var manifests = _replay.Manifests();
        Assert.Equal(["Message 1", "Message 2", "Message 3"], manifests.Select(m => (string?)m["subject"]).Order());
        Assert.Equal(
            ["11:22:1278455344230334867@[Gmail]/All Mail", "1:5:1278455344230334865@INBOX", "1:6:1278455344230334866@INBOX"],
            manifests.Select(m => (string?)m["uidl"]).Order(StringComparer.Ordinal));
        Assert.All(manifests, m => Assert.StartsWith("gmail-127845534423033486", (string?)m["key"], StringComparison.Ordinal));
        Assert.True(poll.Status == MailboxRunStatus.Succeeded, poll.Summary);
        Assert.Equal(0, poll.New);
        Assert.True(_replay.Played[1].Finished);
    }

    [Fact]
    public async Task Run_LabelAddedToAStoredMessage_ListsNoCopyAndTheFolderStaysStatusOnly()
    {
        var settings = new Dictionary<string, string?> { ["Folders:0"] = "INBOX", ["Folders:1"] = "Work" };
        IEnumerable<ImapExchange> Status(int workCount, uint workNext) =>
        [
            new("STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)", "* STATUS \"INBOX\" (MESSAGES 1 UIDNEXT 6 UIDVALIDITY 1)\r\n" + Ok()),
            new("STATUS Work (MESSAGES UIDNEXT UIDVALIDITY)", $"* STATUS \"Work\" (MESSAGES {workCount} UIDNEXT {workNext} UIDVALIDITY 30)\r\n" + Ok()),
        ];
        var work = new ImapExchange("LIST \"\" Work RETURN (SUBSCRIBED CHILDREN)", "* LIST (\\HasNoChildren) \"/\" \"Work\"\r\n" + Ok());
        var logout = new ImapExchange("LOGOUT", Answer("gmail/logout.txt"));
        var first = Login().Concat(Status(0, 1).Take(1)).Append(work).Concat(Status(0, 1).Skip(1)).Concat(
        [
            Examine("INBOX", 1, 1, 6),
            new("UID SEARCH RETURN (ALL) ALL", "* ESEARCH (TAG \"A########\") UID ALL 5\r\n" + Ok("SEARCH completed (Success)")),
            new("UID FETCH 5 (UID X-GM-MSGID)", "* 1 FETCH (X-GM-MSGID 1278455344230334865 UID 5)\r\n" + Ok()),
            Examine("Work", 30, 0, 1),
            new("UID SEARCH RETURN (ALL) ALL", "* ESEARCH (TAG \"A########\") UID\r\n" + Ok("SEARCH completed (Success)")),
            Examine("INBOX", 1, 1, 6),
            new("UID FETCH 5 (UID RFC822.SIZE)", $"* 1 FETCH (UID 5 RFC822.SIZE {Message(1).Length})\r\n" + Ok()),
            new("UID FETCH 5 (BODY.PEEK[])", $"* 1 FETCH (UID 5 BODY[] {Literal(Message(1))})\r\n" + Ok()),
            logout,
        ]);

        // The message gets the label Work: a new UID in Work, the same X-GM-MSGID.
        var labelled = Login().Concat(Status(1, 2).Take(1)).Append(work).Concat(Status(1, 2).Skip(1)).Concat(
        [
            Examine("Work", 30, 1, 2),
            new("UID SEARCH RETURN (ALL) UID 1:*", "* ESEARCH (TAG \"A########\") UID ALL 1\r\n" + Ok("SEARCH completed (Success)")),
            new("UID FETCH 1 (UID X-GM-MSGID)", "* 1 FETCH (X-GM-MSGID 1278455344230334865 UID 1)\r\n" + Ok()),
            logout,
        ]);
        var poll = Login().Concat(Status(1, 2).Take(1)).Append(work).Concat(Status(1, 2).Skip(1)).Append(logout);

        var runs = new[]
        {
            await _replay.RunAsync(settings, first),
            await _replay.RunAsync(settings, labelled),
            await _replay.RunAsync(settings, poll),
        };

        Assert.All(_replay.Played, session => Assert.True(session.Unexpected is null, session.Unexpected));
        Assert.All(_replay.Played, session => Assert.True(session.Finished));
        Assert.All(runs, run => Assert.True(run.Status == MailboxRunStatus.Succeeded, run.Summary));
        Assert.Equal([1, 0, 0], runs.Select(r => r.Stored));
        Assert.Single(_replay.Manifests());
    }

    [Fact]
    public async Task Run_TokenGmailRejects_FailsAfterOneLoginWithTheTokensAdvice()
    {
        var token = Path.Combine(_replay.Archive + "-token");
        await File.WriteAllTextAsync(token, "ya29.expired");
        var xoauth2 = Convert.ToBase64String(Encoding.ASCII.GetBytes($"user={ImapReplay.User}\u0001auth=Bearer ya29.expired\u0001\u0001"));
        var rejected = new[]
        {
            new ImapExchange(null, Answer("gmail/greeting.txt")),
            new("CAPABILITY", Answer("gmail/capability.txt")),
            // Gmail's error report comes as a continuation, and waits for the client's empty answer before the NO.
            new($"AUTHENTICATE XOAUTH2 {xoauth2}", "+ eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==\r\n"),
            new("", "A######## NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n"),
        };

        var run = await _replay.RunAsync(new Dictionary<string, string?> { ["AccessTokenFile"] = token }, rejected);

        File.Delete(token);
        Assert.All(_replay.Played, session => Assert.True(session.Unexpected is null, session.Unexpected));
        Assert.Equal(MailboxRunStatus.Failed, run.Status);
        Assert.True(run.Error!.Contains("rejected the OAuth2 login of 'support@example.com'", StringComparison.Ordinal), run.Error + string.Join("|", _replay.Played[0].Commands));
        Assert.Contains("AccessTokenFile", run.Error, StringComparison.Ordinal);
        Assert.Single(_replay.Played);
    }
}
