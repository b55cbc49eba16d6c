namespace MailIngest.Configuration;

/// <summary>The <c>MailIngest</c> configuration section, apart from <c>Storage</c> which the storage provider binds.</summary>
public sealed class MailIngestOptions
{
    public const string SectionName = "MailIngest";

    /// <summary>Mailboxes by name; the name is part of every stored path, so letters, digits, '.', '_' and '-' only.</summary>
    public Dictionary<string, MailboxOptions> Mailboxes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Mailboxes ingested at the same time, by <c>mailingest once</c> and by the scheduler of <c>mailingest run</c>: POP3
    /// servers and blob stores are slow to answer, so several mailboxes keep a worker busy where one would leave it waiting.
    /// </summary>
    public int MaxConcurrentMailboxes { get; set; } = 4;

    /// <summary>Limits that keep a hostile message from exhausting memory or time.</summary>
    public Decoding.DecoderLimits Decoding { get; set; } = new();
}
