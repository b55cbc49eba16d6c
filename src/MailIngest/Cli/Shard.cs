using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MailIngest.Host.Cli;

/// <summary>
/// One of <see cref="Count"/> shards (<c>--shard INDEX/COUNT</c>): it owns the mailboxes whose stable hash modulo
/// <see cref="Count"/> is <see cref="Index"/>, so N workers split any set of mailboxes without talking to each other.
/// </summary>
/// <remarks>
/// The hash is the first four bytes of SHA-256 over the name's UTF-8 bytes, read big-endian: the same in every process
/// (unlike <see cref="string.GetHashCode()"/>), and computable by the Helm chart's <c>sha256sum</c>, which sizes each
/// sharded Job's deadline by the mailboxes that land on its shards.
/// </remarks>
internal readonly record struct Shard(int Index, int Count)
{
    public bool Owns(string mailbox) => ShardOf(mailbox, Count) == Index;

    public static int ShardOf(string mailbox, int count)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(mailbox));
        return (int)(BinaryPrimitives.ReadUInt32BigEndian(hash) % (uint)count);
    }

    /// <summary>Parses <c>INDEX/COUNT</c> with 0 ≤ INDEX &lt; COUNT, or returns null and says what is wrong.</summary>
    public static Shard? TryParse(string text, out string error)
    {
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            error = $"--shard must be INDEX/COUNT, e.g. 0/3, was '{text}'.";
            return null;
        }

        if (count < 1 || index >= count)
        {
            error = $"--shard {text}: COUNT must be at least 1 and INDEX between 0 and COUNT-1.";
            return null;
        }

        error = "";
        return new Shard(index, count);
    }
}
