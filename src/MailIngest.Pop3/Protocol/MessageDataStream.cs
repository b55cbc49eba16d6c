using System.Buffers;

namespace MailIngest.Pop3.Protocol;

/// <summary>
/// The data of one RETR or TOP reply, read straight from the connection's buffer with its dot-stuffing undone (RFC 1939
/// section 3), as MailKit's <c>Pop3Stream</c> undoes it: a line that begins with ".." loses its first dot, any other
/// line is passed on exactly as sent (CRLF, bare LF, 8-bit bytes, NUL), and the line "." ends the data, as does ".\n"
/// from servers that end lines with a bare LF. Ends with the terminator and leaves what follows (a pipelined reply)
/// in the buffer. If the connection ends first, reading throws <see cref="IOException"/>: a message is never handed on
/// as complete when it was cut.
/// </summary>
internal sealed class MessageDataStream : Stream
{
    private readonly Pop3Connection _connection;
    private readonly Pop3Deadline _deadline;
    private bool _atLineStart = true;
    private bool _ended;
    private bool _disposed;

    public MessageDataStream(Pop3Connection connection, Pop3Deadline deadline)
    {
        _connection = connection;
        _deadline = deadline;
    }

    /// <summary>The message's octets read so far, after dot-unstuffing.</summary>
    public long Octets { get; private set; }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        return await ReadDataAsync(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>The connection is read asynchronously only: a blocking read would hold a thread for as long as the server takes.</summary>
    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("A POP3 message is read with ReadAsync.");

    /// <summary>Reads and drops what the consumer left of the message, up to its terminator.</summary>
    public async Task DrainAsync()
    {
        var scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (await ReadDataAsync(scratch) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Marks the stream as the consumer's no more; the connection stays open for the next reply.</summary>
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }

    private async ValueTask<int> ReadDataAsync(Memory<byte> buffer)
    {
        if (_ended || buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            var produced = Unstuff(buffer.Span);
            if (produced > 0 || _ended)
            {
                Octets += produced;
                return produced;
            }

            if (!await _connection.FillAsync(_deadline))
            {
                _connection.Abort();
                throw new IOException($"the server closed the connection inside a message, after {Octets} octets of it and before its end");
            }
        }
    }

    /// <summary>
    /// Copies what the buffer holds of the message into <paramref name="destination"/>; 0 when it needs more input (a
    /// line start that may be the terminator needs up to three bytes to tell). Between line starts it copies whole runs
    /// up to the next "\n." at once, which is where the time goes for a large message.
    /// </summary>
    private int Unstuff(Span<byte> destination)
    {
        var produced = 0;
        while (produced < destination.Length)
        {
            var input = _connection.Buffered;
            if (_atLineStart)
            {
                if (input.IsEmpty)
                {
                    break;
                }

                if (input[0] == (byte)'.')
                {
                    if (input.Length < 2 || (input[1] == (byte)'\r' && input.Length < 3))
                    {
                        break;
                    }

                    if (input[1] == (byte)'\n' || (input[1] == (byte)'\r' && input[2] == (byte)'\n'))
                    {
                        _connection.Consume(input[1] == (byte)'\n' ? 2 : 3);
                        _ended = true;
                        break;
                    }

                    if (input[1] == (byte)'.')
                    {
                        _connection.Consume(1);
                        input = input[1..];
                    }
                }

                _atLineStart = false;
            }

            var run = input[..Math.Min(input.Length, destination.Length - produced)];
            if (run.IsEmpty)
            {
                break;
            }

            var next = run.IndexOf("\n."u8);
            var take = next >= 0 ? next + 1 : run.Length;
            _atLineStart = run[take - 1] == (byte)'\n';
            run[..take].CopyTo(destination[produced..]);
            produced += take;
            _connection.Consume(take);
        }

        return produced;
    }
}
