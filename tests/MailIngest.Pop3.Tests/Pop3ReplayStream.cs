using System.Text;

namespace MailIngest.Pop3.Tests;

/// <summary>One exchange of a recorded POP3 session: what the client must send, and what the server answers.</summary>
/// <param name="Command">The command line the client must send (without CRLF); null for the greeting.</param>
/// <param name="Response">The server's bytes, CRLF line ends included.</param>
/// <param name="Disconnect">After sending <paramref name="Response"/> the server drops the connection.</param>
/// <param name="Pace">From this answer on, the server sends one byte per this interval; infinite: it sends nothing more.</param>
internal sealed record Pop3Exchange(string? Command, string Response, bool Disconnect = false, TimeSpan? Pace = null)
{
    public static Pop3Exchange Greeting(string response) => new(null, response);

    /// <summary>The client sends <paramref name="command"/>; the server answers part of <paramref name="response"/> and hangs up.</summary>
    public static Pop3Exchange DroppedAfter(string command, string response) => new(command, response, Disconnect: true);

    /// <summary>The client sends <paramref name="command"/>; the server trickles <paramref name="response"/>, a byte per <paramref name="pace"/>.</summary>
    public static Pop3Exchange Trickled(string command, string response, TimeSpan pace) => new(command, response, Pace: pace);

    /// <summary>The client sends <paramref name="command"/>; the server keeps the connection open and answers nothing.</summary>
    public static Pop3Exchange Stalled(string command) => new(command, "", Pace: Timeout.InfiniteTimeSpan);
}

/// <summary>
/// A stream that plays a recorded POP3 server transcript to our <c>Pop3Client</c> (MailKit's tests do the same
/// with <c>Pop3ReplayStream</c>): every command line the client writes must be the next one of the transcript, and its
/// answer becomes readable. A transcript that ends, or an exchange marked as dropped, reads as end of stream; a paced
/// exchange makes the server slow from then on (asynchronous reads only, which is how the client reads).
/// </summary>
internal sealed class Pop3ReplayStream : Stream
{
    private readonly Queue<Pop3Exchange> _script;
    private readonly StringBuilder _written = new();
    private readonly List<string> _commands = [];
    private readonly Queue<long> _answerEnds = new();
    private byte[] _readable = [];
    private int _readOffset;
    private long _served;
    private long _read;
    private TimeSpan? _pace;
    private bool _dropped;

    public Pop3ReplayStream(IEnumerable<Pop3Exchange> transcript)
    {
        _script = new Queue<Pop3Exchange>(transcript);
        if (_script.TryPeek(out var first) && first.Command is null)
        {
            Serve(_script.Dequeue());
        }
    }

    /// <summary>Every command line the client sent, in order.</summary>
    public IReadOnlyList<string> Commands => _commands;

    /// <summary>The most command lines the client sent in one write: above 1 means it pipelined them.</summary>
    public int MaxCommandsPerWrite { get; private set; }

    /// <summary>The most answers the client had asked for and not yet read to their end: above 1 means it pipelined.</summary>
    public int MaxOutstanding { get; private set; }

    /// <summary>True when the client sent every command of the transcript.</summary>
    public bool Completed => _script.Count == 0;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var available = _readable.Length - _readOffset;
        if (available == 0)
        {
            // Nothing more was answered: the server is gone (or never was asked), which the client sees as a dropped connection.
            return 0;
        }

        var n = Math.Min(count, available);
        Array.Copy(_readable, _readOffset, buffer, offset, n);
        _readOffset += n;
        _read += n;
        while (_answerEnds.TryPeek(out var end) && end <= _read)
        {
            _answerEnds.Dequeue();
        }

        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_pace is { } pace)
        {
            await Task.Delay(pace, cancellationToken);
        }

        var array = new byte[_pace is null ? buffer.Length : Math.Min(1, buffer.Length)];
        var n = Read(array, 0, array.Length);
        array.AsSpan(0, n).CopyTo(buffer.Span);
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (_dropped)
        {
            throw new IOException("The replayed server dropped the connection.");
        }

        _written.Append(Encoding.ASCII.GetString(buffer, offset, count));
        var lines = 0;
        int end;
        while (!_dropped && (end = _written.ToString().IndexOf("\r\n", StringComparison.Ordinal)) >= 0)
        {
            var line = _written.ToString(0, end);
            _written.Remove(0, end + 2);
            _commands.Add(line);
            MaxCommandsPerWrite = Math.Max(MaxCommandsPerWrite, ++lines);
            if (!_script.TryDequeue(out var exchange))
            {
                throw new InvalidOperationException($"The client sent '{line}' after the end of the transcript.");
            }

            if (exchange.Command != line)
            {
                throw new InvalidOperationException($"The client sent '{line}', the transcript expects '{exchange.Command}'.");
            }

            Serve(exchange);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var array = buffer.ToArray();
        Write(array, 0, array.Length);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Serve(Pop3Exchange exchange)
    {
        var response = Encoding.Latin1.GetBytes(exchange.Response);
        _readable = [.. _readable.AsSpan(_readOffset), .. response];
        _readOffset = 0;
        _served += response.Length;
        _answerEnds.Enqueue(_served);
        MaxOutstanding = Math.Max(MaxOutstanding, _answerEnds.Count(end => end > _read));
        _pace = exchange.Pace ?? _pace;
        if (exchange.Disconnect)
        {
            _dropped = true;
            _script.Clear();
        }
    }
}
