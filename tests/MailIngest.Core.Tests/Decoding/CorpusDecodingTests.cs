using System.Text;
using Xunit.Abstractions;

namespace MailIngest.Decoding;

/// <summary>Decodes the shared corpus (../shared/corpus); skipped when a checkout does not have it.</summary>
public sealed class CorpusDecodingTests(ITestOutputHelper output)
{
    public static TheoryData<string> Messages => [.. Corpus.Messages()];

    [CorpusTheory]
    [MemberData(nameof(Messages))]
    public async Task Decode_CorpusMessage_StoresSafeUniqueReadableObjects(string path)
    {
        using var raw = File.OpenRead(Corpus.PathOf(path));
        // Every corpus message must decode; quarantine is for messages that are truly broken.
        using var message = new MessageDecoder(new DecoderLimits()).Decode(raw);
        var paths = message.Bodies.Select(body => body.Path).Concat(message.Attachments.Select(attachment => attachment.Path)).ToList();
        Assert.Equal(paths.Count, paths.Distinct(StringComparer.OrdinalIgnoreCase).Count());

        foreach (var body in message.Bodies)
        {
            await Decoded.TextAsync(body);
        }

        foreach (var attachment in message.Attachments)
        {
            Assert.StartsWith("attachments/", attachment.Path, StringComparison.Ordinal);
            SafeFileNameTests.AssertSafe(attachment.Path["attachments/".Length..]);
            await Decoded.BytesAsync(attachment.WriteToAsync);
        }

        output.WriteLine($"{path}: subject '{message.Headers.Subject}', folder date {message.FolderDate:O}, bodies [{string.Join(", ", message.Bodies.Select(body => $"{body.Path} ({body.OriginalCharset})"))}]");
        foreach (var attachment in message.Attachments)
        {
            output.WriteLine($"  {attachment.Path} <- '{attachment.FileName}' {attachment.ContentType} {attachment.Source}{(attachment.Inline ? " inline" : "")}");
        }

        foreach (var warning in message.Warnings)
        {
            output.WriteLine($"  warning: {warning}");
        }
    }

    [CorpusTheory]
    [InlineData("attachments")]
    [InlineData("one-file")]
    [InlineData("two-files")]
    public void Decode_TnefMessage_ExtractsTheExpectedFiles(string name)
    {
        var expected = File.ReadAllLines(Corpus.PathOf($"tnef/{name}.expected-attachments.txt"))
            .Where(line => line.Length > 0)
            .Order(StringComparer.Ordinal);

        using var message = DecodeCorpus($"tnef/{name}.eml");

        var tnefFiles = message.Attachments.Where(attachment => attachment.Source == AttachmentSource.Tnef).Select(attachment => attachment.FileName);
        Assert.Equal(expected, tnefFiles.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(message.Attachments, attachment => attachment.FileName == "winmail.dat");
        Assert.Empty(message.Warnings);
    }

    [CorpusFact]
    public async Task Decode_TnefMessage_WritesTheExtractedFileContent()
    {
        using var message = DecodeCorpus("tnef/one-file.eml");

        var content = await Decoded.BytesAsync(message.Attachment("AUTHORS").WriteToAsync);

        Assert.NotEmpty(content);
    }

    [CorpusFact]
    public async Task Decode_SeedGb2312_HeadersAndBodyAreReadableChinese()
    {
        using var message = DecodeCorpus("crafted/seed-gb2312.eml");

        Assert.Equal("邮件示例", message.Headers.Subject);
        Assert.Equal(["陈俊清 <chenjunqing@example.cn>"], message.Headers.From);
        Assert.Equal(["boss_ch@example.com"], message.Headers.To);
        Assert.Equal("seed-sample@example.cn", message.Headers.MessageId);
        Assert.Equal(new DateTimeOffset(2000, 9, 16, 5, 34, 18, TimeSpan.Zero), message.FolderDate);
        var body = message.Body("body.txt");
        Assert.Equal("GB2312", body.OriginalCharset);
        Assert.Equal("你好！\r\n这是一个邮件示例。\r\n", await Decoded.TextAsync(body));
    }

    [CorpusFact]
    public async Task Decode_Raw8BitHeaders_DecodesHeadersAndBody()
    {
        using var message = DecodeCorpus("crafted/raw-8bit-headers.eml");

        Assert.Equal("Rechnung für März", message.Headers.Subject);
        Assert.Equal(["Jürgen Müller <jm@example.de>"], message.Headers.From);
        Assert.Contains("Grüße aus Köln", await Decoded.TextAsync(message.Body("body.txt")), StringComparison.Ordinal);
    }

    [CorpusFact]
    public async Task Decode_HostileFilenames_StoresSafeNamesAndKeepsTheOriginals()
    {
        using var message = DecodeCorpus("crafted/hostile-filenames.eml");

        var names = message.Attachments.Select(attachment => attachment.FileName).ToList();
        Assert.Contains("../../etc/passwd", names);
        Assert.Contains(@"..\..\windows\win.ini", names);
        Assert.Contains("manifest.json", names);
        Assert.Contains("CON", names);
        Assert.Equal(2, names.Count(name => name == "report.pdf"));
        Assert.Contains(names, name => name.Length >= 300);
        Assert.Equal(
            ["01-passwd", "02-win.ini", "03-path.txt", "04-_manifest.json", "05-report.pdf", "06-report.pdf", "07-_CON"],
            message.Attachments.Take(7).Select(attachment => attachment.Path["attachments/".Length..]));
        Assert.Equal("second report with the same name", Encoding.ASCII.GetString(await Decoded.BytesAsync(message.Attachments[5].WriteToAsync)));
        Assert.Equal("Names that must never escape the message's own folder.", await Decoded.TextAsync(message.Body("body.txt")));
    }

    [CorpusFact]
    public void Decode_Rfc2231Filenames_DecodesTheNames()
    {
        using var message = DecodeCorpus("crafted/rfc2231-filenames.eml");

        Assert.Equal(["报告.pdf", "Données trimestrielles.xlsx"], message.Attachments.Select(attachment => attachment.FileName));
        Assert.Equal("attachments/01-报告.pdf", message.Attachments[0].Path);
    }

    [CorpusFact]
    public async Task Decode_AttachmentWithoutDisposition_FindsItByItsContentTypeName()
    {
        using var message = DecodeCorpus("crafted/attachment-without-disposition.eml");

        var scan = message.Attachment("scan-0001.pdf");
        Assert.Equal("application/pdf", scan.ContentType);
        Assert.False(scan.Inline);
        Assert.StartsWith("%PDF", Encoding.ASCII.GetString(await Decoded.BytesAsync(scan.WriteToAsync)), StringComparison.Ordinal);
    }

    [CorpusFact]
    public async Task Decode_HtmlWithInlineImage_StoresBothBodiesAndTheInlineImage()
    {
        using var message = DecodeCorpus("crafted/html-inline-image.eml");

        Assert.Equal("Hello — see the logo.", await Decoded.TextAsync(message.Body("body.txt")));
        Assert.Contains("cid:logo@example.com", await Decoded.TextAsync(message.Body("body.html")), StringComparison.Ordinal);
        var logo = Assert.Single(message.Attachments);
        Assert.Equal("logo.png", logo.FileName);
        Assert.True(logo.Inline);
        Assert.Equal("logo@example.com", logo.ContentId);
        Assert.Equal("image/png", logo.ContentType);
    }

    [CorpusFact]
    public async Task Decode_ForwardedMessage_StoresItAsEmlAndExtractsItsAttachment()
    {
        using var message = DecodeCorpus("crafted/forwarded-with-attachment.eml");

        Assert.Equal(2, message.Attachments.Count);
        var forwarded = message.Attachment("original.eml");
        Assert.Equal(AttachmentSource.Mime, forwarded.Source);
        Assert.Equal("message/rfc822", forwarded.ContentType);
        Assert.Contains("Subject: invoice", Encoding.ASCII.GetString(await Decoded.BytesAsync(forwarded.WriteToAsync)), StringComparison.Ordinal);
        var invoice = message.Attachment("invoice-42.pdf");
        Assert.Equal(AttachmentSource.Rfc822, invoice.Source);
        Assert.Equal("Forwarding the customer's mail.", await Decoded.TextAsync(Assert.Single(message.Bodies)));
    }

    [CorpusFact]
    public async Task Decode_UuencodedBody_StoresTheBodyAndExtractsTheFile()
    {
        using var message = DecodeCorpus("crafted/uuencoded-body.eml");

        Assert.StartsWith("Here is the file.", await Decoded.TextAsync(message.Body("body.txt")), StringComparison.Ordinal);
        var file = message.Attachment("hello.txt");
        Assert.Equal("attachments/01-hello.txt", file.Path);
        Assert.Equal("hello world\n", Encoding.ASCII.GetString(await Decoded.BytesAsync(file.WriteToAsync)));
    }

    [CorpusFact]
    public async Task Decode_DotStuffedLines_KeepsThemAsTheyAre()
    {
        using var message = DecodeCorpus("crafted/dot-stuffing.eml");

        Assert.Equal(".\r\n..\r\n.hidden line\r\n...three\r\nend\r\n", await Decoded.TextAsync(message.Body("body.txt")));
    }

    [CorpusFact]
    public void Decode_HeadersOnly_StoresNoBodyAndNoAttachments()
    {
        using var message = DecodeCorpus("crafted/headers-only.eml");

        Assert.Equal("no body at all", message.Headers.Subject);
        Assert.Empty(message.Bodies);
        Assert.Empty(message.Attachments);
    }

    [CorpusFact]
    public void Decode_NoDateNoMessageId_LeavesThemEmpty()
    {
        using var message = DecodeCorpus("crafted/no-date-no-message-id.eml");

        Assert.Null(message.Headers.Date);
        Assert.Null(message.Headers.MessageId);
        Assert.Null(message.FolderDate);
    }

    private static DecodedMessage DecodeCorpus(string path) =>
        Decoded.From(File.ReadAllBytes(Corpus.PathOf(path)));
}
