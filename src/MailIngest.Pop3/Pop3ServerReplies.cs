using System.Text;
using MailKit;

namespace MailIngest.Pop3;

/// <summary>
/// Watches the server's status lines through MailKit's protocol-logger hook, for two facts MailKit does not expose: the
/// text of the <c>-ERR</c> that failed a login (MailKit's AuthenticationException drops its RFC 2449 response code),
/// and whether QUIT was acknowledged (MailKit's disconnect swallows a connection lost at QUIT, and without the
/// server's <c>+OK</c> its deletions may not have been applied). Client lines are never kept: they carry the password.
/// </summary>
internal sealed class Pop3ServerReplies : IProtocolLogger
{
    private const int MaxLine = 512;

    private readonly StringBuilder _line = new();
    private bool _lineTooLong;
    private bool _quitSent;

    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    /// <summary>The text after <c>-ERR</c> of the server's last error since the client's last command; null when none.</summary>
    public string? LastError { get; private set; }

    /// <summary>The client sent QUIT and the server answered <c>+OK</c>: the deletions are applied.</summary>
    public bool QuitAcknowledged { get; private set; }

    public void LogConnect(Uri uri)
    {
    }

    public void LogClient(byte[] buffer, int offset, int count)
    {
        LastError = null;
        if (buffer.AsSpan(offset, count).IndexOf("QUIT\r\n"u8) >= 0)
        {
            _quitSent = true;
        }
    }

    public void LogServer(byte[] buffer, int offset, int count)
    {
        foreach (var b in buffer.AsSpan(offset, count))
        {
            if (b == '\n')
            {
                OnLine(_lineTooLong ? _line.ToString() : _line.ToString().TrimEnd('\r'));
                _line.Clear();
                _lineTooLong = false;
            }
            else if (_line.Length < MaxLine)
            {
                _line.Append((char)b);
            }
            else
            {
                _lineTooLong = true;
            }
        }
    }

    public void Dispose()
    {
    }

    private void OnLine(string line)
    {
        if (line.StartsWith("-ERR", StringComparison.Ordinal))
        {
            LastError = line[4..].Trim();
        }
        else if (_quitSent && line.StartsWith("+OK", StringComparison.Ordinal))
        {
            QuitAcknowledged = true;
        }
    }
}
