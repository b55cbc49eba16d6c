using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailIngest.Configuration;
using MailIngest.Login;
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
/// exactly once, with the strongest mechanism both sides support (<see cref="PasswordLogin"/>), or USER/PASS or APOP
/// when the server offers no SASL mechanism for passwords.
/// </summary>
internal sealed class Pop3MailServer : IMailSource
{
    private readonly Pop3Connect _connect;
    private readonly ILogger _logger;
    private readonly IEnumerable<IAccessTokenSource> _tokenSources;
    private readonly ProtocolLog? _protocolLog;

    public Pop3MailServer(ILogger<Pop3MailServer> logger, IEnumerable<IAccessTokenSource> tokenSources, ProtocolLog? protocolLog = null)
        : this(ConnectToHostAsync, logger, tokenSources, protocolLog)
    {
    }

    internal Pop3MailServer(Pop3Connect connect, ILogger logger, IEnumerable<IAccessTokenSource> tokenSources, ProtocolLog? protocolLog = null)
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
        var secret = tokenSource is null ? PasswordLogin.ReadPassword(mailbox, options) : await tokenSource.GetTokenAsync(mailbox, options, cancellationToken);
        var trust = new ServerCertificateTrust(options.Host, options.CertificateAuthorityFile);
        var tls = new SslClientAuthenticationOptions
        {
            TargetHost = options.Host,
            RemoteCertificateValidationCallback = trust.Validate,
            CertificateRevocationCheckMode = X509RevocationMode.Online,
        };
        var security = TransportSecurity.Pop3.Effective(options);
        if (security == MailSecurity.None && !TransportSecurity.IsLoopback(options.Host))
        {
            Log.PlaintextToRemoteHost(_logger, mailbox, endpoint);
        }

        Pop3Client? client = null;
        try
        {
            var stream = await ConnectAsync(endpoint, options, cancellationToken);
            client = await Pop3Client.ConnectAsync(
                stream, options.Host, Port(options), options.Timeout, security == MailSecurity.SslOnConnect ? tls : null, _protocolLog is null ? null : new Pop3ConversationLog(_protocolLog, mailbox), cancellationToken);
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

    private async Task AuthenticateWithTokenAsync(string mailbox, Pop3Client client, string endpoint, string username, string token, CancellationToken cancellationToken)
    {
        var mechanism = OAuthTokenMechanisms.Choose(client.LoginCapabilities.SaslMechanisms, username, token, endpoint, "POP3");
        Log.Authenticating(_logger, mailbox, mechanism.MechanismName);
        await client.AuthenticateAsync(mechanism, cancellationToken);
    }

    private async Task AuthenticateOnceAsync(string mailbox, Pop3Client client, string username, string password, CancellationToken cancellationToken)
    {
        var offered = client.LoginCapabilities.SaslMechanisms;
        var mechanism = PasswordLogin.ChooseMechanism(offered);
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

    private static async Task<Stream> ConnectToHostAsync(MailboxOptions options, CancellationToken cancellationToken) =>
        new NetworkStream(await ServerSocket.ConnectAsync(options.Host, Port(options), cancellationToken), ownsSocket: true);

    private static async Task ReleaseAsync(Pop3Client? client)
    {
        if (client is not null)
        {
            await client.DisposeAsync();
        }
    }

    private static int Port(MailboxOptions options) => TransportSecurity.Pop3.Port(options);
}
