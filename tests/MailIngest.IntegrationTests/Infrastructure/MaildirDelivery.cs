using System.Globalization;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>Delivers messages into Maildirs the way an MDA does: write into tmp/, then rename into new/.</summary>
internal sealed class MaildirDelivery
{
    private readonly Lock _gate = new();
    private long _lastStamp;
    private long _sequence;

    /// <summary>
    /// Dovecot assigns UIDs to new files sorted by the timestamp in their names, so strictly increasing
    /// stamps keep the server's message order equal to the delivery order.
    /// </summary>
    public string NextFileName()
    {
        long stamp;
        long sequence;
        lock (_gate)
        {
            var nowMicros = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
            _lastStamp = Math.Max(nowMicros, _lastStamp + 1);
            stamp = _lastStamp;
            sequence = ++_sequence;
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"{stamp / 1_000_000}.M{stamp % 1_000_000}P{Environment.ProcessId}Q{sequence}.mailingest-test");
    }

    public Task DeliverAsync(string maildir, byte[] rawMessage, CancellationToken cancellationToken) =>
        DeliverAsync(maildir, rawMessage, NextFileName(), cancellationToken);

    /// <summary>Delivers under a file name of the caller's: with <c>pop3_uidl_format = %f</c> the name is the UIDL.</summary>
    public static async Task DeliverAsync(string maildir, byte[] rawMessage, string name, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(maildir, "tmp", name);
        await File.WriteAllBytesAsync(temporary, rawMessage, cancellationToken);
        File.Move(temporary, Path.Combine(maildir, "new", name));
    }

    public static void CreateFolders(string maildir)
    {
        foreach (var folder in new[] { "new", "cur", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, folder));
        }
    }

    /// <summary>Messages on the server: unread ones sit in new/, ones a POP3 session has seen move to cur/.</summary>
    public static int CountMessages(string maildir) =>
        CountFiles(Path.Combine(maildir, "new")) + CountFiles(Path.Combine(maildir, "cur"));

    private static int CountFiles(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder).Count() : 0;
}
