using System.Buffers;
using System.Net.Security;
using System.Text;
using System.Text.Unicode;

namespace MailIngest.Pop3.Protocol;

/// <summary>
/// The byte level of a POP3 session over a stream (TCP, or TLS on it): a read buffer that status and listing lines are
/// taken from and that <see cref="MessageDataStream"/> reads message data from, queued command lines written in one
/// write (so pipelined commands leave together), and the switch to TLS. Every read and write runs under a
/// <see cref="Pop3Deadline"/>; any failure of one leaves the connection <see cref="IsBroken"/> and closed, because
/// after a half-read reply nothing that follows can be trusted.
/// </summary>
internal sealed class Pop3Connection : IAsyncDisposable
{
    /// <summary>Large enough for a TLS record several times over, so that a message arrives in few reads.</summary>
    private const int BufferSize = 64 * 1024;

    private readonly byte[] _input = new byte[BufferSize];
    private readonly ArrayBufferWriter<byte> _output = new(256);
    private Stream _stream;
    private int _start;
    private int _end;
    private int _broken;

    /// <param name="stream">The connected stream; owned from now on.</param>
    /// <param name="endpoint">host:port, for messages.</param>
    /// <param name="timeout">The mailbox's Timeout: the longest any one read or write may wait.</param>
    /// <param name="log">The protocol log of this session, if one is kept.</param>
    public Pop3Connection(Stream stream, string endpoint, TimeSpan timeout, Pop3ConversationLog? log)
    {
        _stream = stream;
        Endpoint = endpoint;
        Timeout = timeout;
        Log = log;
    }

    public string Endpoint { get; }

    public TimeSpan Timeout { get; }

    public Pop3ConversationLog? Log { get; }

    public bool IsEncrypted => _stream is SslStream { IsEncrypted: true };

    /// <summary>A read or write failed, timed out or was cancelled; the stream is closed.</summary>
    public bool IsBroken => Volatile.Read(ref _broken) != 0;

    /// <summary>The bytes read from the server and not yet consumed.</summary>
    public ReadOnlySpan<byte> Buffered => _input.AsSpan(_start, _end - _start);

    /// <summary>A deadline for one command, which closes this connection when it passes.</summary>
    public Pop3Deadline Deadline(string command, TimeSpan allowance, CancellationToken cancellationToken) =>
        new(command, Timeout, allowance, Abort, cancellationToken);

    public void Consume(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _end - _start);
        _start += count;
    }

    /// <summary>Reads more from the server into the buffer; false when the server closed the connection.</summary>
    public async ValueTask<bool> FillAsync(Pop3Deadline deadline)
    {
        if (_start == _end)
        {
            (_start, _end) = (0, 0);
        }
        else if (_end == _input.Length)
        {
            Buffered.CopyTo(_input);
            (_start, _end) = (0, _end - _start);
        }

        if (_end == _input.Length)
        {
            throw Broken(new Pop3ProtocolException($"the server sent a line longer than {BufferSize / 1024} KiB"));
        }

        var read = await Guard(deadline.RunAsync(token =>
        {
            ThrowIfBroken();
            return _stream.ReadAsync(_input.AsMemory(_end), token);
        }));
        _end += read;
        return read > 0;
    }

    /// <summary>Reads one line (a status line, or a line of a listing), without its line end, and logs it.</summary>
    public async ValueTask<string> ReadLineAsync(Pop3Deadline deadline)
    {
        int end;
        while ((end = Buffered.IndexOf((byte)'\n')) < 0)
        {
            if (!await FillAsync(deadline))
            {
                throw Broken(new IOException("the server closed the connection"));
            }
        }

        var bytes = Buffered[..end].TrimEnd((byte)'\r');

        // As MailKit decodes lines (so UIDLs stay the ledger's keys): UTF-8 when valid, else Latin-1, byte for byte.
        var line = (Utf8.IsValid(bytes) ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes);
        Consume(end + 1);
        Log?.Server(line);
        return line;
    }

    /// <summary>Reads a status line.</summary>
    public async ValueTask<Pop3Reply> ReadReplyAsync(Pop3Deadline deadline)
    {
        var line = await ReadLineAsync(deadline);
        try
        {
            return Pop3Reply.Parse(line);
        }
        catch (Pop3ProtocolException)
        {
            Abort();
            throw;
        }
    }

    /// <summary>
    /// Reads the lines of a multi-line reply up to its terminating dot, undoing dot-stuffing (RFC 1939 section 3); for
    /// CAPA, UIDL and LIST, whose lines are short. Message data goes through <see cref="MessageDataStream"/> instead.
    /// </summary>
    public async IAsyncEnumerable<string> ReadListingAsync(Pop3Deadline deadline)
    {
        while (await ReadLineAsync(deadline) is var line && line != ".")
        {
            yield return line.StartsWith('.') ? line[1..] : line;
        }
    }

    /// <summary>Queues a command line; <paramref name="logged"/> is what the log shows instead when the line carries a secret.</summary>
    public void Queue(string command, string? logged = null)
    {
        Encoding.UTF8.GetBytes(command + "\r\n", _output);
        Log?.Client(logged ?? command);
    }

    /// <summary>Sends the queued command lines in one write.</summary>
    public async ValueTask FlushAsync(Pop3Deadline deadline)
    {
        await Guard(deadline.RunAsync(async token =>
        {
            ThrowIfBroken();
            await _stream.WriteAsync(_output.WrittenMemory, token);
            await _stream.FlushAsync(token);
        }));
        _output.ResetWrittenCount();
    }

    /// <summary>Sends one command line and reads its status line.</summary>
    public async ValueTask<Pop3Reply> CommandAsync(string command, Pop3Deadline deadline, string? logged = null)
    {
        Queue(command, logged);
        await FlushAsync(deadline);
        return await ReadReplyAsync(deadline);
    }

    /// <summary>Negotiates TLS over the connection: at once (POP3S), or after STLS's <c>+OK</c> (RFC 2595).</summary>
    public async Task StartTlsAsync(SslClientAuthenticationOptions options, Pop3Deadline deadline)
    {
        if (_start != _end)
        {
            // Bytes sent before the handshake would pass for the TLS session's (the STARTTLS command injection of CVE-2011-0411).
            throw Broken(new Pop3ProtocolException("the server sent data after accepting STLS, before TLS began"));
        }

        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        _stream = tls;
        await Guard(deadline.RunAsync(token => new ValueTask(tls.AuthenticateAsClientAsync(options, token))));
        Log?.Note($"TLS established ({tls.SslProtocol}, {tls.NegotiatedCipherSuite})");
    }

    /// <summary>Closes the connection at once, without QUIT: the server applies no deletion.</summary>
    public void Abort()
    {
        Volatile.Write(ref _broken, 1);
        _stream.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Abort();
        return ValueTask.CompletedTask;
    }

    /// <summary>Inside a deadline's run, so that a deadline or cancellation that closed the connection is reported as itself.</summary>
    private void ThrowIfBroken()
    {
        if (IsBroken)
        {
            throw new IOException("the connection was closed after an earlier failure in this session");
        }
    }

    private Exception Broken(Exception e)
    {
        Abort();
        return e;
    }

    private async ValueTask<T> Guard<T>(ValueTask<T> io)
    {
        try
        {
            return await io;
        }
        catch
        {
            Abort();
            throw;
        }
    }

    private async ValueTask Guard(ValueTask io)
    {
        try
        {
            await io;
        }
        catch
        {
            Abort();
            throw;
        }
    }
}
