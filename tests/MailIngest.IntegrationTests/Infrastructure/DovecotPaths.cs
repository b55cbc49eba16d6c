namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>Where one private Dovecot instance keeps its files, all under one temp folder.</summary>
internal sealed record DovecotPaths(string Root)
{
    public string BaseDir => Path.Combine(Root, "run");

    public string StateDir => Path.Combine(Root, "state");

    public string MailRoot => Path.Combine(Root, "mail");

    /// <summary>One passwd-file per user: Dovecot re-reads a changed passwd-file at most once a second, a new one at once.</summary>
    public string UsersDir => Path.Combine(Root, "users");

    public string UsersFile(string user) => Path.Combine(UsersDir, user);

    public string ConfigFile => Path.Combine(Root, "dovecot.conf");

    public string LogFile => Path.Combine(Root, "dovecot.log");

    /// <summary>The TLS server certificate (PEM), also what a client names as its CertificateAuthorityFile.</summary>
    public string CertificateFile => Path.Combine(Root, "server-cert.pem");

    public string KeyFile => Path.Combine(Root, "server-key.pem");

    /// <summary>The oauth2 passdb's settings, written when the instance accepts OAuth2 tokens.</summary>
    public string OAuth2ConfigFile => Path.Combine(Root, "dovecot-oauth2.conf.ext");

    /// <summary>Unique, so doveadm never confuses this instance with another one.</summary>
    public string InstanceName => "mailingest-" + Path.GetFileName(Root);

    public string UserHome(string user) => Path.Combine(MailRoot, user);

    public string Maildir(string user) => Path.Combine(MailRoot, user, "Maildir");
}
