using MailKit;

namespace MailIngest.Pop3;

/// <summary>
/// The <c>--protocol-log</c> file: every session's POP3 conversation, appended, with MailKit's redaction of the
/// password, APOP digest and SASL exchange. Sessions of several mailboxes share the file, so each line carries the
/// mailbox's name and each write of MailKit's is made whole under one lock.
/// </summary>
internal sealed class Pop3ProtocolLog(string path) : IDisposable
{
    private readonly FileStream _file = new(path, FileMode.Append, FileAccess.Write, FileShare.Read);
    private readonly Lock _gate = new();

    /// <summary>A protocol hook for one session of <paramref name="mailbox"/> that feeds both the file and <paramref name="replies"/>.</summary>
    public IProtocolLogger ForSession(string mailbox, Pop3ServerReplies replies)
    {
        var file = new ProtocolLogger(_file, leaveOpen: true)
        {
            RedactSecrets = true,
            LogTimestamps = true,
            ClientPrefix = $"{mailbox} C: ",
            ServerPrefix = $"{mailbox} S: ",
        };
        return new Pop3SessionLogger(replies, file, _gate);
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>
/// MailKit's client takes one protocol logger; this one hands every event to the replies watcher the session needs and
/// to the protocol log file. The client's secret detector goes to both, so the file's redaction works.
/// </summary>
internal sealed class Pop3SessionLogger(Pop3ServerReplies replies, ProtocolLogger file, Lock gate) : IProtocolLogger
{
    public IAuthenticationSecretDetector? AuthenticationSecretDetector
    {
        get => file.AuthenticationSecretDetector;
        set
        {
            file.AuthenticationSecretDetector = value;
            replies.AuthenticationSecretDetector = value;
        }
    }

    public void LogConnect(Uri uri)
    {
        replies.LogConnect(uri);
        lock (gate)
        {
            file.LogConnect(uri);
        }
    }

    public void LogClient(byte[] buffer, int offset, int count)
    {
        replies.LogClient(buffer, offset, count);
        lock (gate)
        {
            file.LogClient(buffer, offset, count);
        }
    }

    public void LogServer(byte[] buffer, int offset, int count)
    {
        replies.LogServer(buffer, offset, count);
        lock (gate)
        {
            file.LogServer(buffer, offset, count);
        }
    }

    public void Dispose()
    {
        replies.Dispose();
        file.Dispose();
    }
}
