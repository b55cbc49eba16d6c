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

    /// <summary>
    /// Serve TLS with a self-signed certificate for 127.0.0.1 made for this instance: STLS on the POP3 port, and a POP3S
    /// listener on <see cref="DovecotServer.TlsPort"/>. Plaintext logins stay allowed, so a test can try Security None too.
    /// </summary>
    public bool Tls { get; init; }

    /// <summary>
    /// When set, Dovecot also offers XOAUTH2 and OAUTHBEARER and checks each token with a POST to this RFC 7662
    /// introspection URL (its <c>oauth2</c> passdb); password logins keep working through the passwd-file. Null: no OAuth2.
    /// </summary>
    public Uri? OAuth2IntrospectionUrl { get; init; }

    /// <summary>How long to wait for the greeting before giving up and reporting the log.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
