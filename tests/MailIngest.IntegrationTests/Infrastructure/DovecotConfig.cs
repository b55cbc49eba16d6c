using System.Globalization;
using System.Text;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>Renders the dovecot.conf of one private test instance.</summary>
internal static class DovecotConfig
{
    /// <summary>
    /// Dovecot refuses to serve mail as uid 0 ("userdb returned 0 as uid"), so mail processes run as
    /// nobody; the test process (root) still writes message files, which Dovecot only needs to read.
    /// </summary>
    public const string MailUser = "nobody";

    public const string MailGroup = "nogroup";

    /// <summary>The logout line the session parser reads: retr=messages/bytes, del=deleted/messages-at-login.</summary>
    public const string LogoutFormat = "top=%t/%p, retr=%r/%b, del=%d/%m, size=%s";

    /// <summary>The IMAP logout line: bytes, messages expunged, and headers and bodies fetched (count/bytes).</summary>
    public const string ImapLogoutFormat = "in=%i out=%o expunged=%{expunged} hdr=%{fetch_hdr_count}/%{fetch_hdr_bytes} body=%{fetch_body_count}/%{fetch_body_bytes}";

    public static string Render(DovecotPaths paths, DovecotPorts ports, DovecotOptions options)
    {
        RejectWhitespace(paths.Root);
        var conf = new StringBuilder();
        void Line(string line) => conf.Append(line).Append('\n');

        Line("# Written by the integration tests for one private instance: own base_dir, state_dir,");
        Line("# port and log, so it never meets the system Dovecot or another test's instance.");
        Line("protocols = pop3 imap");
        Line("listen = 127.0.0.1");
        Line($"base_dir = {paths.BaseDir}");
        Line($"state_dir = {paths.StateDir}");
        Line($"instance_name = {paths.InstanceName}");
        Line($"log_path = {paths.LogFile}");
        Line($"info_log_path = {paths.LogFile}");
        Line("log_timestamp = \"%Y-%m-%d %H:%M:%S \"");
        Line("auth_verbose = yes");
        if (ports.Pop3Tls is null)
        {
            Line("ssl = no");
        }
        else
        {
            Line("ssl = yes");
            Line($"ssl_cert = <{paths.CertificateFile}");
            Line($"ssl_key = <{paths.KeyFile}");
        }

        Line("disable_plaintext_auth = no");
        var oauth2 = options.OAuth2IntrospectionUrl is not null;
        Line(oauth2 ? "auth_mechanisms = xoauth2 oauthbearer plain login" : "auth_mechanisms = plain login");
        Line($"mail_location = maildir:{paths.MailRoot}/%u/Maildir");
        Line($"pop3_uidl_format = {options.UidlFormat}");
        Line($"pop3_logout_format = {LogoutFormat}");
        Line($"imap_logout_format = {ImapLogoutFormat}");
        if (oauth2)
        {
            // Each passdb only for its own mechanisms, so a token is never compared with a user's password (and a
            // rejected one is logged once, by the oauth2 passdb).
            Line("passdb {");
            Line("  driver = oauth2");
            Line("  mechanisms = xoauth2 oauthbearer");
            Line($"  args = {paths.OAuth2ConfigFile}");
            Line("}");
        }

        Line("passdb {");
        Line("  driver = passwd-file");
        if (oauth2)
        {
            Line("  mechanisms = plain login");
        }

        Line($"  args = scheme=PLAIN username_format=%u {paths.UsersDir}/%u");
        Line("}");
        Line("userdb {");
        Line("  driver = static");
        Line($"  args = uid={MailUser} gid={MailGroup} home={paths.MailRoot}/%u");
        Line("}");
        Listeners(Line, "pop3", ports.Pop3, ports.Pop3Tls);
        Listeners(Line, "imap", ports.Imap, ports.ImapTls);
        foreach (var extra in options.ExtraSettings)
        {
            Line(extra);
        }

        return conf.ToString();
    }

    /// <summary>
    /// A protocol's plain listener, and its TLS one when <paramref name="tlsPort"/> is set; the built-in TLS listeners
    /// (995, 993) would otherwise collide with every other instance.
    /// </summary>
    private static void Listeners(Action<string> line, string protocol, int port, int? tlsPort)
    {
        line($"service {protocol}-login {{");
        line($"  inet_listener {protocol} {{");
        line("    address = 127.0.0.1");
        line(string.Create(CultureInfo.InvariantCulture, $"    port = {port}"));
        line("  }");
        line($"  inet_listener {protocol}s {{");
        if (tlsPort is null)
        {
            line("    port = 0");
        }
        else
        {
            line("    address = 127.0.0.1");
            line(string.Create(CultureInfo.InvariantCulture, $"    port = {tlsPort}"));
            line("    ssl = yes");
        }

        line("  }");
        line("}");
    }

    /// <summary>The oauth2 passdb's file: every token is introspected, and only an active one names the user.</summary>
    public static string RenderOAuth2(Uri introspectionUrl)
    {
        ArgumentNullException.ThrowIfNull(introspectionUrl);
        return $"""
            introspection_mode = post
            introspection_url = {introspectionUrl.AbsoluteUri}
            username_attribute = username
            active_attribute = active
            active_value = true

            """;
    }

    private static void RejectWhitespace(string path)
    {
        // Dovecot's driver args are split on spaces; a temp path with one would break the passdb.
        if (path.Any(char.IsWhiteSpace))
        {
            throw new InvalidOperationException($"The Dovecot test folder '{path}' contains whitespace; set TMPDIR to a path without spaces.");
        }
    }
}

/// <summary>The ports one test instance listens on: POP3 and IMAP, and their TLS ports when it serves TLS.</summary>
internal sealed record DovecotPorts(int Pop3, int Imap, int? Pop3Tls, int? ImapTls);
