namespace MailIngest.Configuration;

/// <summary>The <c>MailIngest</c> configuration section, apart from <c>Storage</c> which the storage provider binds.</summary>
public sealed class MailIngestOptions
{
    public const string SectionName = "MailIngest";

    /// <summary>Mailboxes by name; the name is part of every stored path, so letters, digits, '.', '_' and '-' only.</summary>
    public Dictionary<string, MailboxOptions> Mailboxes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Limits that keep a hostile message from exhausting memory or time.</summary>
    public Decoding.DecoderLimits Decoding { get; set; } = new();
}
