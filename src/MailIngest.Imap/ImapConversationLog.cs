using System.Globalization;
using System.Text;
using MailIngest.Login;
using MailKit;

namespace MailIngest.Imap;

/// <summary>
/// One IMAP session's lines in the <c>--protocol-log</c> file, made from the bytes MailKit's client sends and receives
/// (docs/imap.md). Secrets are replaced where MailKit's detector finds them (LOGIN's password, every AUTHENTICATE
/// response), and a literal the server sends (a message, a header block) is written as its size, never as lines, so
/// the log holds neither passwords nor mail. A line longer than <see cref="MaxLineBytes"/> (a SEARCH that answers with
/// thousands of UIDs) is cut, with its length.
/// </summary>
internal sealed class ImapConversationLog(ProtocolLog file, string mailbox) : IProtocolLogger
{
    /// <summary>The most of one line that is written.</summary>
    public const int MaxLineBytes = 2000;

    private static readonly byte[] Redacted = Encoding.ASCII.GetBytes(ProtocolLog.Redacted);

    private readonly LogLine _client = new();
    private readonly LogLine _server = new();
    private long _literalLeft;

    /// <summary>Set by MailKit's client: finds the secrets in what it sends while it logs in.</summary>
    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    public void LogConnect(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        file.Write(mailbox, "--", $"connected to {uri.Host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <remarks>The detector is asked line by line, as MailKit's own logger asks it: it follows the login's commands.</remarks>
    public void LogClient(byte[] buffer, int offset, int count)
    {
        var end = offset + count;
        var next = offset;
        while (next < end)
        {
            var start = next;
            var lineBreak = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            next = lineBreak < 0 ? end : lineBreak + 1;
            var at = start;
            foreach (var secret in AuthenticationSecretDetector?.DetectSecrets(buffer, start, next - start) ?? [])
            {
                ClientLines(buffer.AsSpan(at, secret.StartIndex - at));
                _client.Append(Redacted);
                at = secret.StartIndex + secret.Length;
            }

            ClientLines(buffer.AsSpan(at, next - at));
        }
    }

    public void LogServer(byte[] buffer, int offset, int count)
    {
        ReadOnlySpan<byte> received = buffer.AsSpan(offset, count);
        while (!received.IsEmpty)
        {
            if (_literalLeft > 0)
            {
                var skipped = (int)Math.Min(_literalLeft, received.Length);
                _literalLeft -= skipped;
                received = received[skipped..];
                continue;
            }

            if (!_server.Read(ref received))
            {
                return;
            }

            var literal = _server.LiteralLength();
            file.Write(mailbox, "S:", _server.Take());
            if (literal > 0)
            {
                _literalLeft = literal;
                file.Write(mailbox, "--", string.Create(CultureInfo.InvariantCulture, $"{literal} octets of a literal (not logged)"));
            }
        }
    }

    public void Dispose()
    {
        // The file is the process's, shared by every session.
    }

    /// <summary>Writes the complete lines the client sent in <paramref name="bytes"/> and keeps the rest of the last for the next call.</summary>
    private void ClientLines(ReadOnlySpan<byte> bytes)
    {
        while (_client.Read(ref bytes))
        {
            file.Write(mailbox, "C:", _client.Take());
        }
    }

    /// <summary>
    /// One line as it arrives: its first <see cref="MaxLineBytes"/> bytes, its length, and its last bytes, where a
    /// literal's announcement (<c>{123}</c>, or <c>~{123}</c> for a binary one) is.
    /// </summary>
    private sealed class LogLine
    {
        private const int TailBytes = 24;

        private readonly byte[] _head = new byte[MaxLineBytes];
        private readonly byte[] _tail = new byte[TailBytes];
        private int _headLength;
        private int _tailLength;
        private long _length;

        /// <summary>Takes the bytes up to the first line break, or all when there is none; true when the line is complete.</summary>
        public bool Read(ref ReadOnlySpan<byte> bytes)
        {
            var end = bytes.IndexOf((byte)'\n');
            var taken = end < 0 ? bytes.Length : end + 1;
            Append(bytes[..taken]);
            bytes = bytes[taken..];
            return end >= 0;
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            var kept = Math.Min(MaxLineBytes - _headLength, bytes.Length);
            bytes[..kept].CopyTo(_head.AsSpan(_headLength));
            _headLength += kept;
            _length += bytes.Length;
            if (bytes.Length >= TailBytes)
            {
                bytes[^TailBytes..].CopyTo(_tail);
                _tailLength = TailBytes;
                return;
            }

            var before = Math.Min(_tailLength, TailBytes - bytes.Length);
            _tail.AsSpan(_tailLength - before, before).CopyTo(_tail);
            bytes.CopyTo(_tail.AsSpan(before));
            _tailLength = before + bytes.Length;
        }

        /// <summary>The size of the literal the line announces at its end, or 0 when it announces none.</summary>
        public long LiteralLength()
        {
            var tail = Encoding.ASCII.GetString(_tail, 0, _tailLength).TrimEnd('\r', '\n');
            var open = tail.LastIndexOf('{');
            return tail.EndsWith('}') && open >= 0 && long.TryParse(tail.AsSpan(open + 1, tail.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                ? length
                : 0;
        }

        /// <summary>The line as it is written (without its line break), and a fresh start for the next.</summary>
        public string Take()
        {
            var text = Encoding.UTF8.GetString(_head, 0, _headLength).TrimEnd('\r', '\n');
            if (_length > MaxLineBytes)
            {
                text += string.Create(CultureInfo.InvariantCulture, $"… ({_length} octets in all)");
            }

            _headLength = 0;
            _tailLength = 0;
            _length = 0;
            return text;
        }
    }
}
