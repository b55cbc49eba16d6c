using System.Text;
using System.Text.RegularExpressions;

namespace MailIngest.Imap.Tests.Replay;

/// <summary>One exchange of a recorded IMAP session: the command the client must send, and the server's answer.</summary>
/// <param name="Command">The command after its tag (<c>UID SEARCH ALL</c>), or a continuation line; null for the greeting.</param>
/// <param name="Response">The server's lines, CRLF line ends included; <c>A########</c> stands for the command's tag.</param>
internal sealed record ImapExchange(string? Command, string Response);

/// <summary>
/// A stream that plays a recorded IMAP server to MailKit's <c>ImapClient</c>, as MailKit's own <c>ImapReplayStream</c>
/// does: each line the client writes must be the next command of the script (its tag aside), and the answer, with the
/// tag put in, becomes readable. A command the script does not expect is kept in <see cref="Unexpected"/> and ends the
/// session (end of stream), so a test says what the client sent instead.
/// </summary>
internal sealed partial class ImapReplayStream : Stream
{
    private readonly Queue<ImapExchange> _script;
    private readonly StringBuilder _written = new();
    private readonly List<string> _commands = [];
    private byte[] _readable = [];
    private int _offset;
    private string _tag = "";

    public ImapReplayStream(IEnumerable<ImapExchange> script)
    {
        _script = new Queue<ImapExchange>(script);
        if (_script.TryPeek(out var greeting) && greeting.Command is null)
        {
            Serve(_script.Dequeue().Response, tag: "");
        }
    }

    /// <summary>Every command the client sent, without its tag.</summary>
    public IReadOnlyList<string> Commands => _commands;

    /// <summary>The first command the script did not expect, with what it expected; null while all went as scripted.</summary>
    public string? Unexpected { get; private set; }

    /// <summary>Whether the client sent every scripted command.</summary>
    public bool Finished => _script.Count == 0;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(count, _readable.Length - _offset);
        Array.Copy(_readable, _offset, buffer, offset, n);
        _offset += n;
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        _written.Append(Encoding.Latin1.GetString(buffer, offset, count));
        int end;
        while ((end = _written.ToString().IndexOf("\r\n", StringComparison.Ordinal)) >= 0)
        {
            var line = _written.ToString(0, end);
            _written.Remove(0, end + 2);
            Answer(line);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Answer(string line)
    {
        // A line without a tag continues the command before it (a SASL answer), whose tag the final answer carries.
        var tagged = Tagged().Match(line);
        var (tag, command) = tagged.Success ? (tagged.Groups["tag"].Value, tagged.Groups["command"].Value) : (_tag, line);
        _tag = tag;
        _commands.Add(command);
        if (Unexpected is not null)
        {
            return;
        }

        if (!_script.TryDequeue(out var next) || next.Command != command)
        {
            Unexpected = $"the client sent '{command}' where the script expected {(next is null ? "nothing more" : $"'{next.Command}'")}";
            return;
        }

        Serve(next.Response, tag);
    }

    private void Serve(string response, string tag)
    {
        var answer = Encoding.Latin1.GetBytes(response.Replace("A########", tag, StringComparison.Ordinal));
        _readable = [.. _readable.AsSpan(_offset), .. answer];
        _offset = 0;
    }

    [GeneratedRegex("^(?<tag>[A-Z]+\\d+) (?<command>.*)$")]
    private static partial Regex Tagged();
}
