namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>Settings for a private <see cref="DovecotServer"/>.</summary>
public sealed record DovecotOptions
{
    /// <summary>Dovecot's own default; a test may switch formats between runs to fake a server migration.</summary>
    public const string DefaultUidlFormat = "%08Xu%08Xv";

    /// <summary>The <c>pop3_uidl_format</c> Dovecot uses to build UIDLs.</summary>
    public string UidlFormat { get; init; } = DefaultUidlFormat;

    /// <summary>Raw configuration lines appended to dovecot.conf, e.g. <c>pop3_lock_session = yes</c>.</summary>
    public IReadOnlyList<string> ExtraSettings { get; init; } = [];

    /// <summary>How long to wait for the greeting before giving up and reporting the log.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
