using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MailIngest.Events;

/// <summary>
/// The Standard Webhooks symmetric signature (docs/events.md): <c>v1,</c> and the base64 HMAC-SHA256, with the secret's
/// key, of <c>{webhook-id}.{webhook-timestamp}.{body}</c>.
/// </summary>
internal static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    /// <summary>The fewest and most key bytes the specification allows a secret.</summary>
    public const int MinKeyBytes = 24;

    public const int MaxKeyBytes = 64;

    public static string Sign(ReadOnlySpan<byte> key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{id}.{timestamp}."));
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    /// <summary>The key a secret stands for: the base64 after <c>whsec_</c> (the prefix may be left out), decoded.</summary>
    /// <exception cref="FormatException">The secret is not base64, or its key is shorter or longer than the specification allows.</exception>
    public static byte[] Key(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var text = secret.Trim();
        text = text.StartsWith(SecretPrefix, StringComparison.Ordinal) ? text[SecretPrefix.Length..] : text;
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new FormatException("the secret is not 'whsec_' followed by base64");
        }

        return key.Length is >= MinKeyBytes and <= MaxKeyBytes
            ? key
            : throw new FormatException($"the secret's key is {key.Length} bytes; Standard Webhooks asks for {MinKeyBytes} to {MaxKeyBytes}");
    }
}
