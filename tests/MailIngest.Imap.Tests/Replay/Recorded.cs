using System.Globalization;
using System.Text;

namespace MailIngest.Imap.Tests.Replay;

/// <summary>Server answers recorded by MailKit's tests (Resources/README.md), and the answers tests write in their style.</summary>
internal static class Recorded
{
    /// <summary>A recorded answer, its line ends made CRLF as servers send them.</summary>
    public static string Answer(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Resources", name)).ReplaceLineEndings("\r\n");

    public static string Ok(string text = "Success") => $"A######## OK {text}\r\n";

    /// <summary>A small message, distinct per <paramref name="number"/>, CRLF line ends.</summary>
    public static string Message(int number, int padding = 0) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"From: Sender <sender{number}@example.com>\r\nTo: support@example.com\r\nSubject: Message {number}\r\n" +
            $"Date: Mon, 02 Mar 2026 09:00:00 +0000\r\nMessage-ID: <m{number}@example.com>\r\n\r\nBody {number}.\r\n{new string('x', padding)}\r\n");

    /// <summary>A FETCH answer's literal: the byte count, then the bytes.</summary>
    public static string Literal(string content) => string.Create(CultureInfo.InvariantCulture, $"{{{Encoding.UTF8.GetByteCount(content)}}}\r\n{content}");
}
