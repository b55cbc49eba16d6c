namespace MailIngest.Decoding;

/// <summary>Safety limits for decoding one message; a message over any of them is quarantined instead of stored.</summary>
public sealed class DecoderLimits
{
    /// <summary>The most MIME parts one message may hold, counting multiparts, attached messages and the files inside TNEF or uuencoded blocks.</summary>
    public int MaxParts { get; set; } = 1000;

    /// <summary>The deepest nesting of multiparts and attached messages one message may have; the message body itself is level 1.</summary>
    public int MaxDepth { get; set; } = 32;

    /// <summary>The largest header block, in bytes, that the message or any of its parts may have.</summary>
    public int MaxHeaderBytes { get; set; } = 1024 * 1024;
}
