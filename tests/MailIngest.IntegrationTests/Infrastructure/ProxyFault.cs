using System.Text;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>The way bytes travel through a <see cref="CuttingProxy"/>.</summary>
public enum ProxyDirection
{
    ClientToServer,
    ServerToClient,
}

/// <summary>What a triggered <see cref="ProxyFault"/> does to its connection.</summary>
public enum ProxyFaultAction
{
    /// <summary>Close both sockets, as a dropped network would.</summary>
    Cut,

    /// <summary>Forward nothing more but keep both sockets open, as a hung peer would.</summary>
    Stall,

    /// <summary>Forward the rest one byte at a time, <see cref="ProxyFault.TrickleDelay"/> apart: never idle, never done.</summary>
    Trickle,
}

/// <summary>
/// When a <see cref="CuttingProxy"/> breaks a connection: after a number of bytes, or just before the first
/// occurrence of a byte pattern, in one direction. Bytes from the trigger on are never forwarded.
/// </summary>
public sealed record ProxyFault
{
    private ProxyFault(ProxyDirection direction, long? afterBytes, ReadOnlyMemory<byte> pattern)
    {
        Direction = direction;
        AfterBytes = afterBytes;
        Pattern = pattern;
    }

    public ProxyDirection Direction { get; }

    /// <summary>Trigger once exactly this many bytes went through in <see cref="Direction"/>; null for a pattern fault.</summary>
    public long? AfterBytes { get; }

    /// <summary>Trigger just before these bytes would go through; empty for a byte-count fault.</summary>
    public ReadOnlyMemory<byte> Pattern { get; }

    public ProxyFaultAction Action { get; init; } = ProxyFaultAction.Cut;

    /// <summary>For <see cref="ProxyFaultAction.Trickle"/>: the pause after each byte.</summary>
    public TimeSpan TrickleDelay { get; init; }

    /// <summary>The 1-based connection the fault applies to; null applies it to every connection.</summary>
    public int? OnlyConnection { get; init; }

    public static ProxyFault AfterServerBytes(long bytes) => After(ProxyDirection.ServerToClient, bytes);

    public static ProxyFault After(ProxyDirection direction, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return new ProxyFault(direction, bytes, ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>Before the client sends <paramref name="text"/>, e.g. "QUIT" or "RETR 3\r\n" (the line end keeps "RETR 30" apart).</summary>
    public static ProxyFault AtClientText(string text) => At(ProxyDirection.ClientToServer, Encoding.ASCII.GetBytes(text));

    /// <summary>Before the server sends <paramref name="text"/>, e.g. "+OK Logging out".</summary>
    public static ProxyFault AtServerText(string text) => At(ProxyDirection.ServerToClient, Encoding.ASCII.GetBytes(text));

    public static ProxyFault At(ProxyDirection direction, ReadOnlyMemory<byte> pattern)
    {
        if (pattern.IsEmpty)
        {
            throw new ArgumentException("A fault pattern needs at least one byte.", nameof(pattern));
        }

        return new ProxyFault(direction, null, pattern.ToArray());
    }

    /// <summary>The same trigger, stalling instead of cutting.</summary>
    public ProxyFault Stalling() => this with { Action = ProxyFaultAction.Stall };

    /// <summary>The same trigger, then a byte every <paramref name="delay"/>, as a server trickling its answer.</summary>
    public ProxyFault Trickling(TimeSpan delay) => this with { Action = ProxyFaultAction.Trickle, TrickleDelay = delay };

    internal bool AppliesTo(int connectionNumber) => OnlyConnection is null || OnlyConnection == connectionNumber;

    internal FaultTrigger CreateTrigger() => new(this);
}
