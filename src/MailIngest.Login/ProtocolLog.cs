using System.Globalization;
using System.Text;

namespace MailIngest.Login;

/// <summary>
/// The <c>--protocol-log</c> file: every session's POP3 or IMAP conversation, appended, one line per command or reply
/// line, each with the time and the mailbox's name, since sessions of several mailboxes share the file; each line is
/// written whole under one lock. What it leaves out (secrets, message contents) is decided by each protocol's client:
/// see <c>Pop3ConversationLog</c> and <c>ImapConversationLog</c>.
/// </summary>
internal sealed class ProtocolLog(string path, TimeProvider? time = null) : IDisposable
{
    /// <summary>What the log shows in place of a secret.</summary>
    public const string Redacted = "********";

    private readonly FileStream _file = Open(path);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();

    /// <summary>Appends "time mailbox tag text".</summary>
    public void Write(string mailbox, string tag, string text)
    {
        var line = Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture, $"{_time.GetUtcNow():yyyy-MM-ddTHH:mm:ssZ} {mailbox} {tag} {text}\r\n"));
        lock (_gate)
        {
            _file.Write(line);
            _file.Flush();
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>A new log is the owner's alone: it names mailboxes, users and servers (an existing file keeps its mode).</summary>
    private static FileStream Open(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }
}
