namespace MailIngest.Imap;

/// <summary>
/// What MailKit writes a fetched message into: the bytes go on to the retrieval target's stream as they arrive, and
/// nothing is kept. MailKit rewinds the stream when the section is complete (for a reader that keeps it); that rewind
/// is accepted and ignored, since the bytes are already where they belong, and the target's stream is not MailKit's to
/// close. With a <c>limit</c>, bytes beyond it are dropped (a header block kept for the operator, cut to size).
/// </summary>
internal sealed class PassThroughStream(Stream target, long limit = long.MaxValue) : Stream
{
    public long Written { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Written;

    public override long Position
    {
        get => Written;
        set
        {
            if (value != 0)
            {
                throw new NotSupportedException("A message passed through to the spool can only be rewound, not positioned.");
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        target.Write(buffer[..Kept(buffer.Length)]);
        Written += buffer.Length;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await target.WriteAsync(buffer[..Kept(buffer.Length)], cancellationToken);
        Written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => target.Flush();

    private int Kept(int count) => (int)Math.Clamp(limit - Written, 0, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => target.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
