using System.Text;
using MailIngest.Login;
using MailKit;

namespace MailIngest.Imap.Tests;

/// <summary>
/// What <see cref="ImapConversationLog"/> writes of the bytes MailKit's client hands it: lines whole however the reads
/// cut them, a server literal as its size, a secret as the placeholder, a huge line cut with its length.
/// </summary>
public sealed class ImapConversationLogTests : IDisposable
{
    private const string Body = "From: a@example.com\r\nSubject: private words\r\n\r\nA00000009 OK not a reply\r\n";

    private static readonly string Fetch =
        $"* 1 FETCH (UID 7 RFC822.SIZE {Body.Length} BODY[] {{{Body.Length}}}\r\n{Body})\r\n* 2 FETCH (UID 8 BODY[] ~{{3}}\r\n\0\r\n)\r\nA00000005 OK Fetch completed.\r\n";

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"imap-log-{Guid.NewGuid():N}.log");
    private readonly ProtocolLog _file;

    public ImapConversationLogTests() => _file = new ProtocolLog(_path);

    public void Dispose()
    {
        _file.Dispose();
        File.Delete(_path);
    }

    [Fact]
    public void LogServer_FetchCutAtEveryByte_WritesTheSameLinesAndNoneOfTheLiterals()
    {
        var expected = new[]
        {
            $"S: * 1 FETCH (UID 7 RFC822.SIZE {Body.Length} BODY[] {{{Body.Length}}}",
            $"-- {Body.Length} octets of a literal (not logged)",
            "S: )",
            "S: * 2 FETCH (UID 8 BODY[] ~{3}",
            "-- 3 octets of a literal (not logged)",
            "S: )",
            "S: A00000005 OK Fetch completed.",
        };
        var bytes = Encoding.ASCII.GetBytes(Fetch);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var log = new ImapConversationLog(_file, $"cut{cut}");
            log.LogServer(bytes, 0, cut);
            log.LogServer(bytes, cut, bytes.Length - cut);
        }

        var lines = File.ReadAllLines(_path);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.Equal(expected, Of(lines, $"cut{cut}"));
        }

        Assert.DoesNotContain(lines, line => line.Contains("private words", StringComparison.Ordinal) || line.Contains("A00000009", StringComparison.Ordinal));
    }

    [Fact]
    public void LogServer_OneByteAtATime_WritesTheLinesWhole()
    {
        var log = new ImapConversationLog(_file, "bytes");
        foreach (var b in Encoding.ASCII.GetBytes(Fetch))
        {
            log.LogServer([b], 0, 1);
        }

        Assert.Equal(7, Of(File.ReadAllLines(_path), "bytes").Count);
        Assert.Equal("S: A00000005 OK Fetch completed.", Of(File.ReadAllLines(_path), "bytes")[^1]);
    }

    [Fact]
    public void LogServer_LineLongerThanTheLimit_IsCutWithItsLength()
    {
        var search = "* SEARCH " + string.Join(' ', Enumerable.Range(1, 2000)) + "\r\n";
        var bytes = Encoding.ASCII.GetBytes(search);

        new ImapConversationLog(_file, "long").LogServer(bytes, 0, bytes.Length);

        var line = Assert.Single(Of(File.ReadAllLines(_path), "long"));
        Assert.StartsWith("S: * SEARCH 1 2 3 ", line, StringComparison.Ordinal);
        Assert.EndsWith($"… ({bytes.Length} octets in all)", line, StringComparison.Ordinal);
        Assert.True(line.Length < ImapConversationLog.MaxLineBytes + 50, line.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void LogClient_SecretsTheDetectorFinds_AreRedactedOnTheirLine()
    {
        var log = new ImapConversationLog(_file, "client") { AuthenticationSecretDetector = new WordDetector("hunter2") };
        var bytes = Encoding.ASCII.GetBytes("A00000001 LOGIN user hunter2\r\nA00000002 STATUS INBOX (UIDNEXT)\r\nA0000");

        log.LogClient(bytes, 0, bytes.Length);
        log.LogClient(Encoding.ASCII.GetBytes("0003 LOGOUT\r\n"), 0, 13);

        Assert.Equal(
            ["C: A00000001 LOGIN user ********", "C: A00000002 STATUS INBOX (UIDNEXT)", "C: A00000003 LOGOUT"],
            Of(File.ReadAllLines(_path), "client"));
    }

    [Fact]
    public void LogConnect_WritesTheEndpoint()
    {
        new ImapConversationLog(_file, "connect").LogConnect(new Uri("imap://mail.example.com:143/?starttls=always"));

        Assert.Equal(["-- connected to mail.example.com:143"], Of(File.ReadAllLines(_path), "connect"));
    }

    /// <summary>The lines of one mailbox, without the time and the mailbox ("time mailbox tag text").</summary>
    private static List<string> Of(string[] lines, string mailbox) =>
        [.. lines.Select(line => line.Split(' ', 3)).Where(parts => parts[1] == mailbox).Select(parts => parts[2])];

    /// <summary>Finds every occurrence of one word, as MailKit's detector finds a password in the LOGIN it sends.</summary>
    private sealed class WordDetector(string word) : IAuthenticationSecretDetector
    {
        public IList<AuthenticationSecret> DetectSecrets(byte[] buffer, int offset, int count)
        {
            var text = Encoding.ASCII.GetString(buffer, offset, count);
            var found = new List<AuthenticationSecret>();
            for (var at = text.IndexOf(word, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + word.Length, StringComparison.Ordinal))
            {
                found.Add(new AuthenticationSecret(offset + at, word.Length));
            }

            return found;
        }
    }
}
