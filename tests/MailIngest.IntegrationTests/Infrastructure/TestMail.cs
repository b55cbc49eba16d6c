using System.Globalization;
using System.Text;
using MimeKit.Utils;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>Messages for tests, with CRLF line ends: POP3 serves CRLF, so these bytes are exactly what RETR returns.</summary>
public static class TestMail
{
    /// <summary>A small message with a text body and one attachment, distinct per <paramref name="number"/>.</summary>
    public static byte[] Numbered(int number, int paddingBytes = 0)
    {
        var date = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.FromHours(1)).AddHours(number);
        var text = $"""
            From: Sender {number} <sender{number}@example.com>
            To: support@example.net
            Subject: Test message {number}
            Date: {DateUtils.FormatDate(date)}
            Message-ID: <test-{number}@example.com>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b{number}"

            --b{number}
            Content-Type: text/plain; charset=utf-8

            Body of message {number}.
            {new string('x', paddingBytes)}
            --b{number}
            Content-Type: text/csv; name="report-{number}.csv"
            Content-Disposition: attachment; filename="report-{number}.csv"

            id,value
            {number},{number * 10}
            --b{number}--
            """;
        return Crlf(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>A multipart message with <paramref name="parts"/> short text parts, to go over DecoderLimits.MaxParts.</summary>
    public static byte[] ManyParts(int parts)
    {
        var text = new StringBuilder("From: a@example.com\r\nSubject: many parts\r\nMessage-ID: <many@example.com>\r\n" +
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n");
        for (var i = 0; i < parts; i++)
        {
            text.Append("--m\r\nContent-Type: text/plain\r\n\r\npart\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("--m--\r\n").ToString());
    }

    /// <summary>Normalises line ends to CRLF, as a POP3 server sends them.</summary>
    public static byte[] Crlf(byte[] raw)
    {
        var output = new List<byte>(raw.Length + raw.Length / 40);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
            {
                output.Add((byte)'\r');
            }

            output.Add(raw[i]);
        }

        if (output.Count >= 2 && !(output[^2] == '\r' && output[^1] == '\n'))
        {
            output.Add((byte)'\r');
            output.Add((byte)'\n');
        }

        return [.. output];
    }

    public static byte[] Simple(string subject, string body = "Hello.", string lineEnding = "\r\n")
    {
        var lines = new[]
        {
            "From: Sender <sender@example.test>",
            "To: Receiver <receiver@example.test>",
            $"Subject: {subject}",
            "Date: Mon, 02 Mar 2026 09:00:00 +0000",
            string.Create(CultureInfo.InvariantCulture, $"Message-ID: <{Guid.NewGuid():N}@example.test>"),
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=us-ascii",
            string.Empty,
            body,
        };
        return Encoding.ASCII.GetBytes(string.Join(lineEnding, lines) + lineEnding);
    }

    /// <summary>A message with <paramref name="count"/> small attachments, each with a long file name, for the event's size bound.</summary>
    public static byte[] WithAttachments(string subject, int count)
    {
        var text = new StringBuilder()
            .Append("From: Sender <sender@example.test>\r\nTo: Receiver <receiver@example.test>\r\n")
            .Append(CultureInfo.InvariantCulture, $"Subject: {subject}\r\nDate: Mon, 02 Mar 2026 09:00:00 +0000\r\n")
            .Append("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n")
            .Append("--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSee the attachments.\r\n");
        for (var n = 1; n <= count; n++)
        {
            text.Append(CultureInfo.InvariantCulture, $"--b\r\nContent-Type: application/pdf; name=\"Quarterly report, part {n:D3} of {count}.pdf\"\r\n")
                .Append(CultureInfo.InvariantCulture, $"Content-Disposition: attachment; filename=\"Quarterly report, part {n:D3} of {count}.pdf\"\r\n")
                .Append("Content-Transfer-Encoding: base64\r\n\r\n")
                .Append(Convert.ToBase64String(Encoding.ASCII.GetBytes($"%PDF-1.4 part {n}"))).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("--b--\r\n").ToString());
    }

    /// <summary>A message of at least <paramref name="bodyBytes"/> bytes, for cutting a transfer in the middle.</summary>
    public static byte[] Large(string subject, int bodyBytes)
    {
        var line = new string('x', 76);
        var body = new StringBuilder();
        while (body.Length < bodyBytes)
        {
            body.Append(line).Append("\r\n");
        }

        return Simple(subject, body.ToString().TrimEnd());
    }
}
