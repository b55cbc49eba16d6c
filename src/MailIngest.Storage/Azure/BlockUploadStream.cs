using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace MailIngest.Storage.Azure;

/// <summary>
/// A write-only stream into one block blob: content is staged in blocks of at most <see cref="BlockSize"/> as it
/// arrives, and becomes visible only at <see cref="CommitAsync"/> (one Put Block List, or one Put Blob when it fits
/// in a block), so a reader sees the old blob or the new one, and an abandoned write leaves nothing visible.
/// </summary>
/// <remarks>
/// Unlike the SDK's OpenWrite stream, this one never commits on dispose (a failed write must not publish a part), and
/// the commit carries the write's conditions and returns the new ETag, which the ledger's conditional writes need.
/// A conditional write also stores the MD5 of its content as the blob's Content-MD5 (<see cref="ContentHash"/>), by
/// which the writer can tell its own commit, retried by the SDK after a lost answer, from another writer's.
/// </remarks>
internal sealed class BlockUploadStream(BlockBlobClient blob, BlobHttpHeaders headers, IDictionary<string, string> metadata, BlobRequestConditions? conditions)
    : Stream
{
    public const int BlockSize = 4 * 1024 * 1024;

    // Unique per write, so blocks staged by a concurrent or crashed writer of the same blob never mix with these.
    private readonly string _writeId = Guid.NewGuid().ToString("N");
    private readonly List<string> _blockIds = [];
    private readonly MemoryStream _pending = new();
    private readonly IncrementalHash? _md5 = conditions is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private long _length;

    /// <summary>The MD5 of the committed content, for a conditional write once it is committed (or its commit failed).</summary>
    public byte[]? ContentHash => headers.ContentHash;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Append(buffer)..];
            if (_pending.Length == BlockSize)
            {
                blob.StageBlock(NextBlockId(), Rewound());
                _pending.SetLength(0);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Append(buffer.Span)..];
            if (_pending.Length == BlockSize)
            {
                await StagePendingAsync(cancellationToken);
            }
        }
    }

    /// <summary>Publishes what was written as the blob's content, if the write's conditions hold; returns the new ETag.</summary>
    public async Task<ETag> CommitAsync(CancellationToken cancellationToken)
    {
        if (_md5 is not null)
        {
            headers.ContentHash = _md5.GetHashAndReset();
        }

        if (_blockIds.Count == 0)
        {
            var uploaded = await blob.UploadAsync(
                Rewound(),
                new BlobUploadOptions { HttpHeaders = headers, Metadata = metadata, Conditions = conditions },
                cancellationToken);
            return uploaded.Value.ETag;
        }

        if (_pending.Length > 0)
        {
            await StagePendingAsync(cancellationToken);
        }

        var committed = await blob.CommitBlockListAsync(
            _blockIds,
            new CommitBlockListOptions { HttpHeaders = headers, Metadata = metadata, Conditions = conditions },
            cancellationToken);
        return committed.Value.ETag;
    }

    public override void Flush()
    {
        // Nothing to do: blocks are staged when full, and published only by CommitAsync.
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pending.Dispose();
            _md5?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Takes as much of <paramref name="data"/> as the pending block has room for; returns how much.</summary>
    private int Append(ReadOnlySpan<byte> data)
    {
        var take = Math.Min(data.Length, BlockSize - (int)_pending.Length);
        _pending.Write(data[..take]);
        _md5?.AppendData(data[..take]);
        _length += take;
        return take;
    }

    private async Task StagePendingAsync(CancellationToken cancellationToken)
    {
        await blob.StageBlockAsync(NextBlockId(), Rewound(), cancellationToken: cancellationToken);
        _pending.SetLength(0);
    }

    /// <summary>The pending bytes as a request body; the SDK rewinds it itself when it retries.</summary>
    private MemoryStream Rewound()
    {
        _pending.Position = 0;
        return _pending;
    }

    /// <summary>Block IDs of one blob must all have the same length, hence the fixed-width counter.</summary>
    private string NextBlockId()
    {
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{_writeId}-{_blockIds.Count:D6}")));
        _blockIds.Add(id);
        return id;
    }
}
