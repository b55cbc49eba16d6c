using System.Text;

namespace MailIngest.Decoding;

public sealed class MessageDecoderTests
{
    private const string Simple = """
        From: "Ann Example" <ann@example.com>
        To: bob@example.net, "Carl" <carl@example.net>
        Cc: Team: dave@example.net, erin@example.net;
        Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= from
         Ann
        Date: Tue, 03 Mar 2026 10:15:00 +0100
        Message-ID: <simple@example.com>

        Hello.

        """;

    [Fact]
    public void Decode_SimpleMessage_ReadsHeaders()
    {
        using var message = Decoded.From(Simple);

        Assert.Equal("simple@example.com", message.Headers.MessageId);
        Assert.Equal("Grüße from Ann", message.Headers.Subject);
        Assert.Equal(["Ann Example <ann@example.com>"], message.Headers.From);
        Assert.Equal(["bob@example.net", "Carl <carl@example.net>"], message.Headers.To);
        Assert.Equal(["dave@example.net", "erin@example.net"], message.Headers.Cc);
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 10, 15, 0, TimeSpan.FromHours(1)), message.Headers.Date);
        Assert.Empty(message.Warnings);
    }

    [Fact]
    public void Decode_DateHeader_FolderDateIsItInUtc()
    {
        using var message = Decoded.From(Simple);

        Assert.Equal(new DateTimeOffset(2026, 3, 3, 9, 15, 0, TimeSpan.Zero), message.FolderDate);
        Assert.Equal(TimeSpan.Zero, message.FolderDate!.Value.Offset);
    }

    [Fact]
    public void Decode_NoDateHeader_FolderDateIsTopmostReceivedDate()
    {
        using var message = Decoded.From("""
            Received: from relay.example.net by mx.example.com; Wed, 04 Mar 2026 08:00:00 +0200
            Received: from client by relay.example.net; Wed, 04 Mar 2026 05:00:00 +0000
            From: a@example.com
            Subject: undated

            Body.

            """);

        Assert.Null(message.Headers.Date);
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 6, 0, 0, TimeSpan.Zero), message.FolderDate);
    }

    [Fact]
    public void Decode_NoDateNorReceived_FolderDateIsNull()
    {
        using var message = Decoded.From("From: a@example.com\r\nSubject: x\r\n\r\nBody.\r\n");

        Assert.Null(message.FolderDate);
        Assert.Null(message.Headers.MessageId);
    }

    [Fact]
    public void Decode_EncodedWordClaimingLatin1WithGb2312Bytes_DecodesAsBodyCharset()
    {
        using var message = Decoded.From("""
            From: =?iso-8859-1?q?=b3=c2=bf=a1=c7=e5?= <chen@example.cn>
            Subject: =?iso-8859-1?b?08q8/sq+wP0=?=
            Content-Type: text/plain; charset=gb2312

            Hi

            """);

        Assert.Equal("邮件示例", message.Headers.Subject);
        Assert.Equal(["陈俊清 <chen@example.cn>"], message.Headers.From);
    }

    [Fact]
    public void Decode_EncodedWordClaimingLatin1WithUtf8Bytes_DecodesAsUtf8()
    {
        using var message = Decoded.From("Subject: =?iso-8859-1?q?caf=C3=A9?=\r\n\r\nBody\r\n");

        Assert.Equal("café", message.Headers.Subject);
    }

    [Theory]
    [InlineData("utf-8", "=?iso-8859-1?q?J=FCrgen_M=FCller?=", "Jürgen Müller")]
    [InlineData("gb2312", "=?iso-8859-1?q?Caf=E9?=", "Café")]
    [InlineData("gb2312", "=?us-ascii?q?plain?=", "plain")]
    public void Decode_GenuineLatin1EncodedWord_StaysLatin1(string bodyCharset, string encodedName, string name)
    {
        using var message = Decoded.From($"From: {encodedName} <jm@example.de>\r\nContent-Type: text/plain; charset={bodyCharset}\r\n\r\nHi\r\n");

        Assert.Equal([$"{name} <jm@example.de>"], message.Headers.From);
    }

    [Theory]
    [InlineData("utf-8", "Grüße aus Köln")]
    [InlineData("iso-8859-1", "Grüße aus Köln")]
    [InlineData("gb2312", "邮件示例")]
    public void Decode_Raw8BitHeaders_DecodesSensibly(string charset, string text)
    {
        var headerBytes = charset == "iso-8859-1" ? Encoding.Latin1.GetBytes(text) : Encoding.GetEncoding(charset).GetBytes(text);
        var raw = Concat(
            Encoding.ASCII.GetBytes("Subject: "), headerBytes,
            Encoding.ASCII.GetBytes($"\r\nContent-Type: text/plain; charset={charset}\r\n\r\nHi\r\n"));

        using var message = Decoded.From(raw);

        Assert.Equal(text, message.Headers.Subject);
    }

    [Theory]
    [InlineData("koi8-r", "Привет, мир")]
    [InlineData("windows-1251", "Привет, мир")]
    [InlineData("shift_jis", "こんにちは世界")]
    [InlineData("iso-8859-2", "Zażółć gęślą jaźń")]
    [InlineData("windows-1252", "Prix: 5 € – “quoted”")]
    [InlineData("gb2312", "你好！这是一个邮件示例。")]
    [InlineData("utf-8", "Grüße 👍")]
    public async Task Decode_BodyInDeclaredCharset_StoresUtf8(string charset, string text)
    {
        var raw = Concat(
            Encoding.ASCII.GetBytes($"Subject: x\r\nContent-Type: text/plain; charset=\"{charset}\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"),
            Encoding.GetEncoding(charset).GetBytes(text + "\r\n"));

        using var message = Decoded.From(raw);

        var body = message.Body("body.txt");
        Assert.Equal(text + "\r\n", await Decoded.TextAsync(body));
        Assert.Equal("text/plain", body.ContentType);
        Assert.Equal(charset, body.OriginalCharset);
    }

    [Fact]
    public async Task Decode_Latin1BodyWithWindows1252Bytes_ReadsThemAsWindows1252()
    {
        var raw = Concat(
            Encoding.ASCII.GetBytes("Content-Type: text/plain; charset=iso-8859-1\r\n\r\n"),
            Encoding.GetEncoding(1252).GetBytes("5 € – ok"));

        using var message = Decoded.From(raw);

        Assert.Equal("5 € – ok", await Decoded.TextAsync(message.Body("body.txt")));
    }

    [Theory]
    [InlineData(null, "Grüße", "utf-8")]
    [InlineData("us-ascii", "Grüße", "us-ascii")]
    [InlineData("x-no-such-charset", "Grüße", "x-no-such-charset")]
    public async Task Decode_BodyWithoutUsableCharsetHoldingUtf8_StoresUtf8(string? charset, string text, string reported)
    {
        var contentType = charset is null ? "text/plain" : $"text/plain; charset={charset}";
        var raw = Concat(Encoding.ASCII.GetBytes($"Content-Type: {contentType}\r\n\r\n"), Encoding.UTF8.GetBytes(text));

        using var message = Decoded.From(raw);

        var body = message.Body("body.txt");
        Assert.Equal(text, await Decoded.TextAsync(body));
        Assert.Equal(reported, body.OriginalCharset);
    }

    [Fact]
    public async Task Decode_BodyWithoutCharsetHoldingWindows1252_StoresUtf8()
    {
        var raw = Concat(Encoding.ASCII.GetBytes("Subject: x\r\n\r\n"), Encoding.GetEncoding(1252).GetBytes("Grüße – 5 €"));

        using var message = Decoded.From(raw);

        var body = message.Body("body.txt");
        Assert.Equal("Grüße – 5 €", await Decoded.TextAsync(body));
        Assert.Equal("windows-1252", body.OriginalCharset);
    }

    [Fact]
    public async Task Decode_FlowedBody_JoinsSoftLineBreaks()
    {
        using var message = Decoded.From("Content-Type: text/plain; charset=utf-8; format=flowed\r\n\r\nThis is one \r\nlong line.\r\nNext.\r\n");

        var text = await Decoded.TextAsync(message.Body("body.txt"));

        Assert.StartsWith("This is one long line.", text, StringComparison.Ordinal);
        Assert.Contains("Next.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_Alternative_StoresTextAndHtmlBodiesAndNoAttachments()
    {
        using var message = Decoded.From("""
            Content-Type: multipart/alternative; boundary="alt"

            --alt
            Content-Type: text/plain; charset=utf-8

            plain
            --alt
            Content-Type: text/html; charset=utf-8

            <p>html</p>
            --alt--

            """);

        Assert.Equal(["body.txt", "body.html"], message.Bodies.Select(body => body.Path));
        Assert.Equal("plain", await Decoded.TextAsync(message.Body("body.txt")));
        Assert.Equal("<p>html</p>", await Decoded.TextAsync(message.Body("body.html")));
        Assert.Equal("text/html", message.Body("body.html").ContentType);
        Assert.Empty(message.Attachments);
    }

    [Fact]
    public void Decode_OnlyAnAttachment_StoresNoBody()
    {
        using var message = Decoded.From("""
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain; name="notes.txt"
            Content-Disposition: attachment

            notes
            --b--

            """);

        Assert.Empty(message.Bodies);
        Assert.Equal("attachments/01-notes.txt", Assert.Single(message.Attachments).Path);
    }

    [Fact]
    public async Task Decode_AttachmentsWithoutNames_GetNamesFromTheirContentType()
    {
        using var message = Decoded.From("""
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain

            body
            --b
            Content-Type: image/png
            Content-Transfer-Encoding: base64

            iVBORw0KGgo=
            --b
            Content-Type: application/x-unheard-of

            data
            --b
            Content-Type: text/plain

            second text part
            --b--

            """);

        Assert.Equal(["part.png", "part.bin", "part.txt"], message.Attachments.Select(attachment => attachment.FileName));
        Assert.Equal(["attachments/01-part.png", "attachments/02-part.bin", "attachments/03-part.txt"], message.Attachments.Select(attachment => attachment.Path));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], await Decoded.BytesAsync(message.Attachments[0].WriteToAsync));
    }

    [Fact]
    public void Decode_ReportParts_AreNamedAsTextWithLowerCaseTypes()
    {
        using var message = Decoded.From("""
            To: undisclosed-recipients:;
            Content-Type: MULTIPART/REPORT; report-type=delivery-status; boundary="b"

            --b
            Content-Type: TEXT/PLAIN

            Delivery failed.
            --b
            Content-Type: Message/Delivery-Status

            Reporting-MTA: dns; mx.example.com
            --b--

            """);

        Assert.Empty(message.Headers.To);
        var report = Assert.Single(message.Attachments);
        Assert.Equal("part.txt", report.FileName);
        Assert.Equal("message/delivery-status", report.ContentType);
    }

    [Fact]
    public async Task Decode_CorruptTnef_KeepsWinmailDatWithWarning()
    {
        using var message = Decoded.From("""
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain

            See attached.
            --b
            Content-Type: application/ms-tnef
            Content-Disposition: attachment; filename="winmail.dat"
            Content-Transfer-Encoding: base64

            bm90IHRuZWYgYXQgYWxs
            --b--

            """);

        var winmail = message.Attachment("winmail.dat");
        Assert.Equal(AttachmentSource.Mime, winmail.Source);
        Assert.Equal("not tnef at all"u8.ToArray(), await Decoded.BytesAsync(winmail.WriteToAsync));
        Assert.Contains(message.Warnings, warning => warning.Contains("winmail.dat", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Decode_AttachedMessageWithoutName_NamesItAfterItsSubject()
    {
        using var message = Decoded.From("""
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain

            Forwarded.
            --b
            Content-Type: message/rfc822

            Subject: Quarterly: numbers/plans?
            Content-Type: multipart/mixed; boundary="inner"

            --inner
            Content-Type: text/plain

            inner body
            --inner
            Content-Type: application/pdf; name="q1.pdf"

            %PDF
            --inner--
            --b--

            """);

        var attached = message.Attachments[0];
        Assert.Equal("Quarterly: numbers_plans?.eml", attached.FileName);
        Assert.Equal("attachments/01-Quarterly_ numbers_plans_.eml", attached.Path);
        Assert.Equal("message/rfc822", attached.ContentType);
        Assert.Contains("inner body", Encoding.UTF8.GetString(await Decoded.BytesAsync(attached.WriteToAsync)), StringComparison.Ordinal);
        var pdf = message.Attachment("q1.pdf");
        Assert.Equal(AttachmentSource.Rfc822, pdf.Source);
        Assert.Equal(2, message.Attachments.Count);
        Assert.Equal("Forwarded.", await Decoded.TextAsync(message.Body("body.txt")));
    }

    [Fact]
    public async Task Decode_UuencodedBlocksInBody_ExtractsEachCompleteBlock()
    {
        using var message = Decoded.From("""
            Subject: files

            First:
            begin 644 one.txt
            #;VYE
            `
            end
            Second:
            begin 600 two words.bin
            #='=O
            `
            end
            begin 644 truncated.txt
            #;VYE

            """);

        Assert.Equal(["one.txt", "two words.bin"], message.Attachments.Select(attachment => attachment.FileName));
        Assert.Equal("one", Encoding.ASCII.GetString(await Decoded.BytesAsync(message.Attachments[0].WriteToAsync)));
        Assert.Equal("two", Encoding.ASCII.GetString(await Decoded.BytesAsync(message.Attachments[1].WriteToAsync)));
        Assert.Contains("begin 644 one.txt", await Decoded.TextAsync(message.Body("body.txt")), StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NonSeekableStream_Throws()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream();

        Assert.Throws<ArgumentException>(() => new MessageDecoder(new DecoderLimits()).Decode(pipe));
    }

    [Fact]
    public void Decode_MessageAtMaxDepth_Decodes()
    {
        using var message = Decoded.From(NestedMultiparts(levels: 4), new DecoderLimits { MaxDepth = 5 });

        Assert.Single(message.Bodies);
    }

    [Fact]
    public void Decode_MessageOneLevelOverMaxDepth_ThrowsMessageDecodingException()
    {
        Assert.Throws<MessageDecodingException>(() => Decoded.From(NestedMultiparts(levels: 5), new DecoderLimits { MaxDepth = 5 }));
    }

    [Fact]
    public void Decode_DeeplyNestedMultiparts_ThrowsMessageDecodingException()
    {
        var error = Assert.Throws<MessageDecodingException>(() => Decoded.From(NestedMultiparts(levels: 500)));

        Assert.Contains("MaxDepth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_DeeplyNestedAttachedMessages_ThrowsMessageDecodingException()
    {
        var builder = new StringBuilder();
        for (var level = 0; level < 200; level++)
        {
            builder.Append(CultureInfoInvariant($"Subject: level {level}\r\nContent-Type: message/rfc822\r\n\r\n"));
        }

        builder.Append("Subject: innermost\r\n\r\nHello.\r\n");

        Assert.Throws<MessageDecodingException>(() => Decoded.From(builder.ToString()));
    }

    [Fact]
    public void Decode_ThousandsOfParts_ThrowsMessageDecodingException()
    {
        var builder = new StringBuilder("Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
        for (var part = 0; part < 5000; part++)
        {
            builder.Append("--b\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n");
        }

        builder.Append("--b--\r\n");

        var error = Assert.Throws<MessageDecodingException>(() => Decoded.From(builder.ToString()));

        Assert.Contains("MaxParts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_HeaderBlockOverLimit_ThrowsMessageDecodingException()
    {
        var message = "Subject: x\r\nX-Padding: " + new string('a', 5000) + "\r\n\r\nBody\r\n";

        var error = Assert.Throws<MessageDecodingException>(() => Decoded.From(message, new DecoderLimits { MaxHeaderBytes = 4096 }));

        Assert.Contains("MaxHeaderBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_EmptyInput_ThrowsMessageDecodingException()
    {
        Assert.Throws<MessageDecodingException>(() => Decoded.From([]));
    }

    /// <summary>
    /// A fuzz test that asserts nothing about the result: it passes unless decoding random bytes, or reading the bodies and
    /// attachments it found, throws something other than <see cref="MessageDecodingException"/>, the one failure the
    /// archiver turns into a quarantined message rather than a failed run.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Decode_RandomBytes_FuzzOnlyChecksThatNoOtherExceptionEscapes(int seed)
    {
        var bytes = new byte[4096];
        new Random(seed).NextBytes(bytes);

        DecodedMessage message;
        try
        {
            message = Decoded.From(bytes);
        }
        catch (MessageDecodingException)
        {
            return;
        }

        using (message)
        {
            foreach (var body in message.Bodies)
            {
                await Decoded.TextAsync(body);
            }

            foreach (var attachment in message.Attachments)
            {
                await Decoded.BytesAsync(attachment.WriteToAsync);
            }
        }
    }

    [Fact]
    public void Constructor_ZeroLimit_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessageDecoder(new DecoderLimits { MaxParts = 0 }));
    }

    private static string NestedMultiparts(int levels)
    {
        var builder = new StringBuilder("Subject: nested\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");
        for (var level = 0; level < levels - 1; level++)
        {
            builder.Append(CultureInfoInvariant($"--b{level}\r\nContent-Type: multipart/mixed; boundary=\"b{level + 1}\"\r\n\r\n"));
        }

        builder.Append(CultureInfoInvariant($"--b{levels - 1}\r\nContent-Type: text/plain\r\n\r\ninnermost\r\n--b{levels - 1}--\r\n"));
        for (var level = levels - 2; level >= 0; level--)
        {
            builder.Append(CultureInfoInvariant($"--b{level}--\r\n"));
        }

        return builder.ToString();
    }

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(part => part)];
}
