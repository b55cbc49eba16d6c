using System.Net;
using MailIngest.Configuration;
using MailIngest.Sources;
using MailKit.Net.Pop3;
using MailKit.Security;
using Microsoft.Extensions.Logging;

namespace MailIngest.Pop3;

/// <summary>Connects a MailKit client to a mailbox's server; tests replace it to replay a recorded transcript.</summary>
internal delegate Task Pop3Connect(Pop3Client client, MailboxOptions options, CancellationToken cancellationToken);

/// <summary>
/// Opens POP3 sessions with MailKit: connect with the configured security, then log in exactly once. MailKit's own
/// <c>AuthenticateAsync(user, password)</c> falls back from a rejected SASL mechanism to the next one and then to
/// USER/PASS, which would turn one wrong password into several failed logins (and lock accounts on servers that count
/// them), so the strongest mechanism both sides support is chosen here and tried alone.
/// </summary>
internal sealed class Pop3MailServer : IMailSource
{
    /// <summary>SASL mechanisms that work with a password, strongest first; OAuth mechanisms need tokens, not passwords.</summary>
    private static readonly string[] PasswordMechanisms = ["SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"];

    private readonly Pop3Connect _connect;
    private readonly ILogger _logger;
    private readonly IEnumerable<IAccessTokenSource> _tokenSources;
    private readonly Pop3ProtocolLog? _protocolLog;

    public Pop3MailServer(ILogger<Pop3MailServer> logger, IEnumerable<IAccessTokenSource> tokenSources, Pop3ProtocolLog? protocolLog = null)
        : this(ConnectToHostAsync, logger, tokenSources, protocolLog)
    {
    }

    internal Pop3MailServer(Pop3Connect connect, ILogger logger, IEnumerable<IAccessTokenSource> tokenSources, Pop3ProtocolLog? protocolLog = null)
    {
        _connect = connect;
        _logger = logger;
        _tokenSources = tokenSources;
        _protocolLog = protocolLog;
    }

    public bool Serves(MailboxOptions options) => options?.Protocol == MailProtocol.Pop3;

    public async Task<IMailSession> OpenAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = $"{options.Host}:{Port(options)}";
        var tokenSource = _tokenSources.FirstOrDefault(source => source.Serves(options));
        var secret = tokenSource is null ? ReadPassword(mailbox, options) : await tokenSource.GetTokenAsync(mailbox, options, cancellationToken);
        var replies = new Pop3ServerReplies();
        var trust = new ServerCertificateTrust(options.Host, options.CertificateAuthorityFile);
        var client = new Pop3Client(_protocolLog?.ForSession(mailbox, replies) ?? replies)
        {
            Timeout = (int)options.Timeout.TotalMilliseconds,
            ServerCertificateValidationCallback = trust.Validate,
        };
        if (options.Security == MailSecurity.None && !IsLoopback(options.Host))
        {
            Log.PlaintextToRemoteHost(_logger, mailbox, endpoint);
        }

        try
        {
            await Pop3Operation.WithDeadlineAsync(
                endpoint,
                options.Timeout,
                async ct =>
                {
                    await _connect(client, options, ct);
                    Log.Connected(_logger, mailbox, endpoint, client.Capabilities, client.AuthenticationMechanisms);
                    if (tokenSource is not null)
                    {
                        await AuthenticateWithTokenAsync(mailbox, client, endpoint, options.Username, secret, ct);
                    }
                    else
                    {
                        await AuthenticateOnceAsync(mailbox, client, options.Username, secret, ct);
                    }
                },
                cancellationToken);
            var session = new Pop3MailSession(client, replies, endpoint, options.Timeout);
            if (session.LoginDelay is { } delay)
            {
                Log.LoginDelayAnnounced(_logger, mailbox, endpoint, delay);
            }

            return session;
        }
        catch (SslHandshakeException e) when (trust.Refusal is { } refusal)
        {
            Pop3MailSession.Release(client);
            throw new MailServerException($"TLS with {endpoint} failed: {refusal}", MailServerFailure.Permanent, e);
        }
        catch (NotSupportedException e) when ((options.Security is MailSecurity.Auto or MailSecurity.StartTls) && !client.IsSecure)
        {
            // MailKit's words for a server that offers no STLS: refuse plaintext, and say how to get TLS or choose plaintext.
            Pop3MailSession.Release(client);
            throw new MailServerException(
                $"{endpoint} offers no STLS, so Security {options.Security} refuses the session rather than send the password in plaintext: use the server's POP3S port (995) with SslOnConnect, or set Security to None for a trusted network.",
                MailServerFailure.Permanent,
                e);
        }
        catch (Exception e) when (Pop3Errors.Classify(e, endpoint, replies, options.Username, Pop3MailSession.LoginDelayOf(client), tokenSource?.RejectionAdvice(options)) is { } error)
        {
            Pop3MailSession.Release(client);
            throw error;
        }
        catch
        {
            Pop3MailSession.Release(client);
            throw;
        }
    }

    /// <summary>
    /// Read before connecting, so that a PasswordFile gone since start (a Secret unmounted) fails without a connection;
    /// the message names the file, never its content.
    /// </summary>
    private static string ReadPassword(string mailbox, MailboxOptions options)
    {
        try
        {
            return options.ReadPassword();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MailServerException(
                $"The password of mailbox {mailbox} cannot be read from PasswordFile '{options.PasswordFile}' ({e.GetType().Name}): check that the secret is still mounted and readable.",
                MailServerFailure.Permanent,
                e);
        }
    }

    /// <summary>
    /// XOAUTH2 is what Microsoft 365 and Gmail speak; OAUTHBEARER (RFC 7628) is used only when it is all the server
    /// offers. One attempt either way: a rejected token does not fall back to a password.
    /// </summary>
    private async Task AuthenticateWithTokenAsync(string mailbox, Pop3Client client, string endpoint, string username, string token, CancellationToken cancellationToken)
    {
        var mechanism = client.AuthenticationMechanisms.Contains("XOAUTH2") ? OAuthTokenMechanisms.XOAuth2(username, token)
            : client.AuthenticationMechanisms.Contains("OAUTHBEARER") ? OAuthTokenMechanisms.OAuthBearer(username, token)
            : throw new MailServerException(
                $"{endpoint} offers neither XOAUTH2 nor OAUTHBEARER (SASL: {(client.AuthenticationMechanisms.Count == 0 ? "none" : string.Join(' ', client.AuthenticationMechanisms))}), so the mailbox cannot log in with its OAuth2 token: enable OAuth2 for POP3 on the server, or log in with a password instead.",
                MailServerFailure.Permanent);
        Log.Authenticating(_logger, mailbox, mechanism.MechanismName);
        await client.AuthenticateAsync(mechanism, cancellationToken);
    }

    private async Task AuthenticateOnceAsync(string mailbox, Pop3Client client, string username, string password, CancellationToken cancellationToken)
    {
        var credentials = new NetworkCredential(username, password);
        var mechanism = PasswordMechanisms.FirstOrDefault(m => client.AuthenticationMechanisms.Contains(m) && SaslMechanism.IsSupported(m));
        if (mechanism is not null)
        {
            Log.Authenticating(_logger, mailbox, mechanism);
            await client.AuthenticateAsync(SaslMechanism.Create(mechanism, credentials)!, cancellationToken);
            return;
        }

        // No usable SASL mechanism: MailKit uses APOP when offered, else USER/PASS.
        Log.Authenticating(_logger, mailbox, client.Capabilities.HasFlag(Pop3Capabilities.Apop) ? "APOP" : "USER/PASS");
        client.AuthenticationMechanisms.Clear();
        await client.AuthenticateAsync(credentials, cancellationToken);
    }

    private static int Port(MailboxOptions options) =>
        options.Port != 0 ? options.Port : options.Security is MailSecurity.Auto or MailSecurity.SslOnConnect ? 995 : 110;

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    private static Task ConnectToHostAsync(Pop3Client client, MailboxOptions options, CancellationToken cancellationToken) =>
        client.ConnectAsync(options.Host, Port(options), ToMailKit(options.Security, Port(options)), cancellationToken);

    /// <summary>
    /// Auto is decided here rather than by MailKit, whose Auto means StartTlsWhenAvailable on ports other than 995: a
    /// silent plaintext session when the server, or someone in between, hides STLS.
    /// </summary>
    private static SecureSocketOptions ToMailKit(MailSecurity security, int port) => security switch
    {
        MailSecurity.None => SecureSocketOptions.None,
        MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        MailSecurity.StartTls => SecureSocketOptions.StartTls,
        MailSecurity.Auto => port == 995 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls,
        _ => throw new ArgumentOutOfRangeException(nameof(security), security, "validation refuses StartTlsWhenAvailable and unknown values"),
    };
}
