namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>Decides, chunk by chunk, how much of one direction's stream may pass before a fault fires.</summary>
internal sealed class FaultTrigger
{
    private readonly ProxyFault _fault;
    private readonly List<byte> _pending = [];
    private long _passed;

    public FaultTrigger(ProxyFault fault) => _fault = fault;

    /// <summary>Returns the bytes to forward now and whether the fault fires right after them.</summary>
    /// <remarks>
    /// A pattern may straddle two reads, so a tail that could start the pattern is held back until the next
    /// chunk shows whether it does; without that, half of "QUIT" could slip through before the cut.
    /// </remarks>
    public (byte[] Forward, bool Fires) Next(ReadOnlySpan<byte> chunk)
    {
        if (_fault.AfterBytes is { } limit)
        {
            var room = limit - _passed;
            if (chunk.Length < room)
            {
                _passed += chunk.Length;
                return (chunk.ToArray(), false);
            }

            _passed = limit;
            return (chunk[..(int)room].ToArray(), true);
        }

        _pending.AddRange(chunk);
        var pending = _pending.ToArray();
        var pattern = _fault.Pattern.Span;
        var found = pending.AsSpan().IndexOf(pattern);
        if (found >= 0)
        {
            _pending.Clear();
            return (pending[..found], true);
        }

        var held = HeldBackLength(pending, pattern);
        _pending.RemoveRange(0, pending.Length - held);
        return (pending[..^held], false);
    }

    /// <summary>The longest tail of <paramref name="data"/> that is a proper prefix of the pattern.</summary>
    private static int HeldBackLength(ReadOnlySpan<byte> data, ReadOnlySpan<byte> pattern)
    {
        for (var length = Math.Min(pattern.Length - 1, data.Length); length > 0; length--)
        {
            if (data[^length..].SequenceEqual(pattern[..length]))
            {
                return length;
            }
        }

        return 0;
    }
}
