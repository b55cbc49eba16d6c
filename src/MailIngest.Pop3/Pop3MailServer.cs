using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailIngest.Configuration;
using MailIngest.Pop3.Protocol;
using MailIngest.Sources;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using AuthenticationException = System.Security.Authentication.AuthenticationException;

namespace MailIngest.Pop3;

/// <summary>Opens the byte stream to a mailbox's server (a TCP connection); tests replace it to replay a recorded transcript.</summary>
internal delegate Task<Stream> Pop3Connect(MailboxOptions options, CancellationToken cancellationToken);

/// <summary>
/// Opens POP3 sessions with our streaming <see cref="Pop3Client"/>: connect with the configured security, then log in
/// exactly once. A client that falls back from a rejected SASL mechanism to the next one and then to USER/PASS (as
/// MailKit's <c>AuthenticateAsync(user, password)</c> does) turns one wrong password into several failed logins, and
/// locks accounts on servers that count them, so the strongest mechanism both sides support is chosen here and tried
/// alone.
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
        var trust = new ServerCertificateTrust(options.Host, options.CertificateAuthorityFile);
        var tls = new SslClientAuthenticationOptions
        {
            TargetHost = options.Host,
            RemoteCertificateValidationCallback = trust.Validate,
            CertificateRevocationCheckMode = X509RevocationMode.Online,
        };
        var security = Effective(options.Security, Port(options));
        if (security == MailSecurity.None && !IsLoopback(options.Host))
        {
            Log.PlaintextToRemoteHost(_logger, mailbox, endpoint);
        }

        Pop3Client? client = null;
        try
        {
            var stream = await ConnectAsync(endpoint, options, cancellationToken);
            client = await Pop3Client.ConnectAsync(
                stream, options.Host, Port(options), options.Timeout, security == MailSecurity.SslOnConnect ? tls : null, _protocolLog?.ForSession(mailbox), cancellationToken);
            if (security == MailSecurity.StartTls)
            {
                if (!client.Capabilities.Stls)
                {
                    throw new MailServerException(
                        $"{endpoint} offers no STLS, so Security {options.Security} refuses the session rather than send the password in plaintext: use the server's POP3S port (995) with SslOnConnect, or set Security to None for a trusted network.",
                        MailServerFailure.Permanent);
                }

                await client.StartTlsAsync(tls, cancellationToken);
            }

            Log.Connected(_logger, mailbox, endpoint, client.Capabilities.Names, client.Capabilities.SaslMechanisms);
            if (tokenSource is not null)
            {
                await AuthenticateWithTokenAsync(mailbox, client, endpoint, options.Username, secret, cancellationToken);
            }
            else
            {
                await AuthenticateOnceAsync(mailbox, client, options.Username, secret, cancellationToken);
            }

            var session = new Pop3MailSession(client, endpoint);
            if (session.LoginDelay is { } delay)
            {
                Log.LoginDelayAnnounced(_logger, mailbox, endpoint, delay);
            }

            return session;
        }
        catch (AuthenticationException e) when (trust.Refusal is { } refusal)
        {
            await ReleaseAsync(client);
            throw new MailServerException($"TLS with {endpoint} failed: {refusal}", MailServerFailure.Permanent, e);
        }
        catch (Exception e) when (Pop3Errors.Classify(e, endpoint, options.Username, client?.LoginCapabilities.LoginDelay, tokenSource?.RejectionAdvice(options)) is { } error)
        {
            await ReleaseAsync(client);
            throw error;
        }
        catch
        {
            await ReleaseAsync(client);
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
        var offered = client.LoginCapabilities.SaslMechanisms;
        var mechanism = offered.Contains("XOAUTH2") ? OAuthTokenMechanisms.XOAuth2(username, token)
            : offered.Contains("OAUTHBEARER") ? OAuthTokenMechanisms.OAuthBearer(username, token)
            : throw new MailServerException(
                $"{endpoint} offers neither XOAUTH2 nor OAUTHBEARER (SASL: {(offered.Count == 0 ? "none" : string.Join(' ', offered))}), so the mailbox cannot log in with its OAuth2 token: enable OAuth2 for POP3 on the server, or log in with a password instead.",
                MailServerFailure.Permanent);
        Log.Authenticating(_logger, mailbox, mechanism.MechanismName);
        await client.AuthenticateAsync(mechanism, cancellationToken);
    }

    private async Task AuthenticateOnceAsync(string mailbox, Pop3Client client, string username, string password, CancellationToken cancellationToken)
    {
        var offered = client.LoginCapabilities.SaslMechanisms;
        var mechanism = PasswordMechanisms.FirstOrDefault(m => offered.Contains(m) && SaslMechanism.IsSupported(m));
        if (mechanism is not null)
        {
            Log.Authenticating(_logger, mailbox, mechanism);
            await client.AuthenticateAsync(SaslMechanism.Create(mechanism, new NetworkCredential(username, password))!, cancellationToken);
        }
        else if (client.OffersApop)
        {
            Log.Authenticating(_logger, mailbox, "APOP");
            await client.ApopAsync(username, password, cancellationToken);
        }
        else
        {
            Log.Authenticating(_logger, mailbox, "USER/PASS");
            await client.UserPassAsync(username, password, cancellationToken);
        }
    }

    /// <summary>Connects under the mailbox's Timeout: a host that never answers the SYN fails like a silent server.</summary>
    private async Task<Stream> ConnectAsync(string endpoint, MailboxOptions options, CancellationToken cancellationToken)
    {
        using var deadline = new Pop3Deadline($"connecting to {endpoint}", options.Timeout, options.Timeout, onExpiry: null, cancellationToken);
        return await deadline.RunAsync(token => new ValueTask<Stream>(_connect(options, token)));
    }

    private static async Task<Stream> ConnectToHostAsync(MailboxOptions options, CancellationToken cancellationToken)
    {
        // NoDelay: commands are small and answered at once; Nagle's algorithm would hold a pipelined RETR back for an ACK.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(options.Host, Port(options), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task ReleaseAsync(Pop3Client? client)
    {
        if (client is not null)
        {
            await client.DisposeAsync();
        }
    }

    private static int Port(MailboxOptions options) =>
        options.Port != 0 ? options.Port : options.Security is MailSecurity.Auto or MailSecurity.SslOnConnect ? 995 : 110;

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>
    /// Auto is TLS on connect on port 995 and required STLS on any other; never MailKit's StartTlsWhenAvailable, a silent
    /// plaintext session when the server, or someone in between, hides STLS (validation refuses it as a setting).
    /// </summary>
    private static MailSecurity Effective(MailSecurity security, int port) => security switch
    {
        MailSecurity.None or MailSecurity.SslOnConnect or MailSecurity.StartTls => security,
        MailSecurity.Auto => port == 995 ? MailSecurity.SslOnConnect : MailSecurity.StartTls,
        _ => throw new ArgumentOutOfRangeException(nameof(security), security, "validation refuses StartTlsWhenAvailable and unknown values"),
    };
}
