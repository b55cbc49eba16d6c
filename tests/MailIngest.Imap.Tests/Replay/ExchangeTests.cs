using System.Globalization;
using System.Text;
using MailIngest.Ingestion;
using static MailIngest.Imap.Tests.Replay.Recorded;

namespace MailIngest.Imap.Tests.Replay;

/// <summary>
/// Exchange Online, replayed (Resources/exchange: MailKit's recordings of its greeting and capabilities before and after
/// login): no CONDSTORE, no ESEARCH, a FETCH that names the UID after the message, RFC822.SIZE that is an estimate, and
/// delete mode with UIDPLUS.
/// </summary>
public sealed class ExchangeTests : IDisposable
{
    private static readonly string PlainLogin = Convert.ToBase64String(Encoding.ASCII.GetBytes($"\0{ImapReplay.User}\0{ImapReplay.Password}"));

    private readonly ImapReplay _replay = new();

    public void Dispose() => _replay.Dispose();

    /// <summary>
    /// Exchange's login as MailKit recorded it (the capabilities asked again after it), what MailKit asks next, and the
    /// folder's selection: EXAMINE, or SELECT for a mailbox that changes messages (delete mode).
    /// </summary>
    private static IEnumerable<ImapExchange> Login(int messages, uint uidNext, bool readWrite = false, string permanentFlags = "\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent")
    {
        yield return new(null, Answer("exchange/greeting.txt"));
        yield return new("CAPABILITY", Answer("exchange/capability-preauth.txt"));
        yield return new($"AUTHENTICATE PLAIN {PlainLogin}", Ok("AUTHENTICATE completed."));
        yield return new("CAPABILITY", Answer("exchange/capability-postauth.txt"));
        yield return new("NAMESPACE", "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n" + Ok("NAMESPACE completed."));
        yield return new("LIST \"\" \"INBOX\"", "* LIST (\\Marked \\HasNoChildren) \"/\" INBOX\r\n" + Ok("LIST completed."));
        yield return new(
            "STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)",
            string.Create(CultureInfo.InvariantCulture, $"* STATUS INBOX (MESSAGES {messages} UIDNEXT {uidNext} UIDVALIDITY 14)\r\n") + Ok("STATUS completed."));
        yield return new(
            readWrite ? "SELECT INBOX" : "EXAMINE INBOX",
            string.Create(
                CultureInfo.InvariantCulture,
                $"* {messages} EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)\r\n" +
                $"* OK [PERMANENTFLAGS ({(readWrite ? permanentFlags : "")})] Permanent flags\r\n" +
                $"* OK [UIDVALIDITY 14] UIDVALIDITY value\r\n* OK [UIDNEXT {uidNext}] The next unique identifier value\r\n") +
                Ok(readWrite ? "[READ-WRITE] SELECT completed." : "[READ-ONLY] EXAMINE completed."));
    }

    [Fact]
    public async Task Run_UidAfterTheMessageAndSizesThatAreEstimates_StoresEachMessageWholeWithAWarning()
    {
        var session = Login(2, 7).Concat(
        [
            new("UID SEARCH ALL", "* SEARCH 5 6\r\n" + Ok("SEARCH completed.")),
            // Exchange gives sizes of its own storage format, larger than what it sends.
            new("UID FETCH 5:6 (UID RFC822.SIZE)", $"* 1 FETCH (UID 5 RFC822.SIZE {Message(1).Length + 9000})\r\n* 2 FETCH (UID 6 RFC822.SIZE {Message(2).Length + 9000})\r\n" + Ok("FETCH completed.")),
            new("UID FETCH 5:6 (BODY.PEEK[])", $"* 1 FETCH (BODY[] {Literal(Message(1))} UID 5)\r\n* 2 FETCH (BODY[] {Literal(Message(2, padding: 3000))} UID 6)\r\n" + Ok("FETCH completed.")),
            new("LOGOUT", "* BYE Microsoft Exchange Server IMAP4 server signing off.\r\n" + Ok("LOGOUT completed.")),
        ]);

        var run = await _replay.RunAsync(new Dictionary<string, string?>(), session);

        Assert.All(_replay.Played, s => Assert.True(s.Unexpected is null, s.Unexpected));
        Assert.True(run.Status == MailboxRunStatus.Succeeded, run.Summary);
        var manifests = _replay.Manifests();
        Assert.Equal(["14:5@INBOX", "14:6@INBOX"], manifests.Select(m => (string?)m["uidl"]).Order(StringComparer.Ordinal));
        Assert.Equal([Message(1).Length, Message(2, padding: 3000).Length], manifests.OrderBy(m => (string?)m["uidl"], StringComparer.Ordinal).Select(m => (int)m["raw"]!["size"]!));
        Assert.All(manifests, m => Assert.Contains(m["warnings"]!.AsArray(), w => ((string?)w)!.Contains("LIST announced", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Run_DeleteMode_FlagsAndExpungesExactlyTheStoredMessagesWithUidExpunge()
    {
        var session = Login(2, 7, readWrite: true).Concat(
        [
            new("UID SEARCH ALL", "* SEARCH 5 6\r\n" + Ok("SEARCH completed.")),
            new("UID FETCH 5:6 (UID RFC822.SIZE)", $"* 1 FETCH (UID 5 RFC822.SIZE {Message(1).Length})\r\n* 2 FETCH (UID 6 RFC822.SIZE {Message(2).Length})\r\n" + Ok("FETCH completed.")),
            new("UID FETCH 5:6 (BODY.PEEK[])", $"* 1 FETCH (UID 5 BODY[] {Literal(Message(1))})\r\n* 2 FETCH (UID 6 BODY[] {Literal(Message(2))})\r\n" + Ok("FETCH completed.")),
            new("UID STORE 5:6 +FLAGS.SILENT (\\Deleted)", Ok("STORE completed.")),
            new("UID EXPUNGE 5:6", "* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n" + Ok("EXPUNGE completed.")),
            new("LOGOUT", "* BYE Microsoft Exchange Server IMAP4 server signing off.\r\n" + Ok("LOGOUT completed.")),
        ]);

        var run = await _replay.RunAsync(new Dictionary<string, string?> { ["DeleteAfterIngest"] = "true" }, session);

        Assert.All(_replay.Played, s => Assert.True(s.Unexpected is null, s.Unexpected));
        Assert.True(run.Status == MailboxRunStatus.Succeeded, run.Summary);
        Assert.Equal(2, run.Stored);
        Assert.Equal(2, run.Deleted);
        Assert.True(_replay.Played.Single().Finished);
    }

    [Fact]
    public async Task Run_DeleteModeWhereDeletedIsNoPermanentFlag_StoresButDeletesNothingAndSaysWhy()
    {
        // MailKit would send "+FLAGS.SILENT ()" for a flag the folder does not keep: the expunge would remove nothing.
        var session = Login(1, 6, readWrite: true, permanentFlags: "\\Seen").Concat(
        [
            new("UID SEARCH ALL", "* SEARCH 5\r\n" + Ok("SEARCH completed.")),
            new("UID FETCH 5 (UID RFC822.SIZE)", $"* 1 FETCH (UID 5 RFC822.SIZE {Message(1).Length})\r\n" + Ok("FETCH completed.")),
            new("UID FETCH 5 (BODY.PEEK[])", $"* 1 FETCH (UID 5 BODY[] {Literal(Message(1))})\r\n" + Ok("FETCH completed.")),
        ]);

        var run = await _replay.RunAsync(new Dictionary<string, string?> { ["DeleteAfterIngest"] = "true" }, session);

        Assert.All(_replay.Played, s => Assert.True(s.Unexpected is null, s.Unexpected));
        Assert.Equal(MailboxRunStatus.Failed, run.Status);
        Assert.Contains("does not let the flag \\Deleted be set in INBOX", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, run.Stored);
        Assert.Equal(0, run.Deleted);
        Assert.DoesNotContain(_replay.Commands, c => c.StartsWith("UID STORE", StringComparison.Ordinal) || c.StartsWith("UID EXPUNGE", StringComparison.Ordinal));
    }
}
