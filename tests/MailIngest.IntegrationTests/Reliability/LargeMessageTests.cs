using System.Text;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Reliability;

/// <summary>
/// Issue #12, item 3, as it was found: a 166 MB message at the head of a mailbox, 30 small ones behind it, and the run's
/// .NET heap capped at 96 MB. A run that holds a message whole in memory fails with OutOfMemoryException at that message
/// every time, and none of the 30 is ever stored; retrieval that streams to disk stores them all.
/// </summary>
public sealed class LargeMessageTests() : MailboxTest("large")
{
    private const int Behind = 30;
    private const long LargeBytes = 166L * 1024 * 1024;

    [Fact]
    public async Task Once_HeapCappedBelowTheLargestMessage_StoresItAndEveryMessageBehindIt()
    {
        var large = Path.Combine(Workspace.Root, "large.eml");
        await WriteLargeMessageAsync(large, LargeBytes);
        await Dovecot.DeliverFileAsync(User, large);
        for (var n = 2; n <= Behind + 1; n++)
        {
            await Dovecot.DeliverAsync(User, TestMail.Numbered(n));
        }

        Configure(new { DeleteAfterIngest = true });

        var run = await Workspace.OnceAsync(new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x6000000" });

        Assert.True(run.ExitCode == 0, run.ToString());
        var manifests = Workspace.Manifests();
        Assert.Equal(Behind + 1, manifests.Count);
        var stored = manifests.Single(m => m.Json["subject"]!.GetValue<string>() == "A large scan");
        Assert.Equal(new FileInfo(large).Length, stored.Json["raw"]!["size"]!.GetValue<long>());
        Assert.Equal(0, Dovecot.MessageCount(User));
    }

    /// <summary>A message with a large base64 attachment, written in lines without holding it in memory.</summary>
    private static async Task WriteLargeMessageAsync(string path, long bytes)
    {
        await using var file = new StreamWriter(path, append: false, Encoding.ASCII) { NewLine = "\r\n" };
        await file.WriteLineAsync("From: Scanner <scanner@example.com>");
        await file.WriteLineAsync("To: support@example.net");
        await file.WriteLineAsync("Subject: A large scan");
        await file.WriteLineAsync("Date: Mon, 02 Mar 2026 09:00:00 +0000");
        await file.WriteLineAsync("Message-ID: <large-scan@example.com>");
        await file.WriteLineAsync("MIME-Version: 1.0");
        await file.WriteLineAsync("Content-Type: multipart/mixed; boundary=\"scan\"");
        await file.WriteLineAsync();
        await file.WriteLineAsync("--scan");
        await file.WriteLineAsync("Content-Type: text/plain; charset=us-ascii");
        await file.WriteLineAsync();
        await file.WriteLineAsync("The scan is attached.");
        await file.WriteLineAsync("--scan");
        await file.WriteLineAsync("Content-Type: application/pdf; name=\"scan.pdf\"");
        await file.WriteLineAsync("Content-Disposition: attachment; filename=\"scan.pdf\"");
        await file.WriteLineAsync("Content-Transfer-Encoding: base64");
        await file.WriteLineAsync();
        var random = new Random(7);
        var chunk = new byte[57];
        for (long written = 0; written < bytes; written += 78)
        {
            random.NextBytes(chunk);
            await file.WriteLineAsync(Convert.ToBase64String(chunk));
        }

        await file.WriteLineAsync("--scan--");
    }
}
