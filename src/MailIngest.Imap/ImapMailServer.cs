using System.Net;
using MailIngest.Configuration;
using MailIngest.Login;
using MailIngest.Sources;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.Extensions.Logging;

namespace MailIngest.Imap;

/// <summary>Connects a new client to a mailbox's server (a TCP socket); tests replace it to replay a recorded transcript.</summary>
internal delegate Task ImapConnect(ImapClient client, MailboxOptions options, SecureSocketOptions security, CancellationToken cancellationToken);

/// <summary>
/// Opens IMAP sessions with MailKit's client: connect with the configured security, log in exactly once (the strongest
/// SASL mechanism both sides support, <see cref="PasswordLogin"/>; IMAP LOGIN only when there is none; XOAUTH2 or
/// OAUTHBEARER with a token), refuse what the mailbox's settings need and the server lacks, and take each folder's STATUS,
/// which is all a poll without new mail costs (docs/imap.md). With a <see cref="ProtocolLog"/>, every session's
/// conversation goes into it (<see cref="ImapConversationLog"/>).
/// </summary>
internal sealed class ImapMailServer(ImapConnect connect, ILogger logger, IEnumerable<IAccessTokenSource> tokenSources, ProtocolLog? protocolLog = null)
    : IMailSource
{
    public ImapMailServer(ILogger<ImapMailServer> logger, IEnumerable<IAccessTokenSource> tokenSources, ProtocolLog? protocolLog = null)
        : this(ConnectToHostAsync, logger, tokenSources, protocolLog)
    {
    }

    public bool Serves(MailboxOptions options) => options?.Protocol == MailProtocol.Imap;

    public async Task<IMailSession> OpenAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = await ConnectAndLogInAsync(mailbox, options, cancellationToken);
        var endpoint = Endpoint(options);
        try
        {
            var folders = await CommandDeadline.RunAsync(
                "STATUS of the folders", options.Timeout, 0, deadline => StatusAsync(client, options, deadline.Token), cancellationToken);
            var destination = options.MoveToFolder.Length == 0
                ? null
                : await CommandDeadline.RunAsync(
                    $"finding the folder {options.MoveToFolder}", options.Timeout, 0, deadline => FindAsync(client, options.MoveToFolder, deadline.Token), cancellationToken);
            return new ImapMailSession(client, options, endpoint, folders, destination);
        }
        catch (Exception e) when (ImapErrors.Classify(e, endpoint) is { } error)
        {
            client.Dispose();
            throw error;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A connected client whose login succeeded and whose server offers what the mailbox needs; also what
    /// <c>mailingest run</c>'s IDLE connections log in with.
    /// </summary>
    internal async Task<SpoolingImapClient> ConnectAndLogInAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        var endpoint = Endpoint(options);
        var tokenSource = tokenSources.FirstOrDefault(source => source.Serves(options));
        var secret = tokenSource is null ? PasswordLogin.ReadPassword(mailbox, options) : await tokenSource.GetTokenAsync(mailbox, options, cancellationToken);
        var trust = new ServerCertificateTrust(options.Host, options.CertificateAuthorityFile);
        var security = TransportSecurity.Imap.Effective(options);
        if (security == MailSecurity.None && !TransportSecurity.IsLoopback(options.Host))
        {
            Log.PlaintextToRemoteHost(logger, mailbox, endpoint);
        }

        var client = new SpoolingImapClient(protocolLog is null ? new NullProtocolLogger() : new ImapConversationLog(protocolLog, mailbox))
        {
            Timeout = (int)Math.Min(options.Timeout.TotalMilliseconds, int.MaxValue),
            ServerCertificateValidationCallback = trust.Validate,
            CheckCertificateRevocation = true,
        };
        try
        {
            await CommandDeadline.RunAsync(
                $"connecting to {endpoint}", options.Timeout, 0, deadline => ConnectAsync(client, options, security, endpoint, deadline.Token), cancellationToken);
            Log.Connected(logger, mailbox, endpoint, client.Capabilities, client.AuthenticationMechanisms);
            await CommandDeadline.RunAsync(
                $"logging in to {endpoint}",
                options.Timeout,
                0,
                deadline => tokenSource is null
                    ? LogInWithPasswordAsync(mailbox, client, endpoint, options.Username, secret, deadline.Token)
                    : LogInWithTokenAsync(mailbox, client, endpoint, options.Username, secret, deadline.Token),
                cancellationToken);
            RefuseWhatTheServerCannotDo(client, options, endpoint);
            return client;
        }
        catch (Exception e) when (e is SslHandshakeException or System.Security.Authentication.AuthenticationException && trust.Refusal is { } refusal)
        {
            client.Dispose();
            throw new MailServerException($"TLS with {endpoint} failed: {refusal}", MailServerFailure.Permanent, e);
        }
        catch (Exception e) when (ImapErrors.Classify(e, endpoint, options.Username, tokenSource?.RejectionAdvice(options)) is { } error)
        {
            client.Dispose();
            throw error;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private async Task ConnectAsync(ImapClient client, MailboxOptions options, MailSecurity security, string endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await connect(client, options, security switch
            {
                MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                MailSecurity.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            }, cancellationToken);
        }
        catch (NotSupportedException e) when (security == MailSecurity.StartTls)
        {
            throw new MailServerException(
                $"{endpoint} offers no STARTTLS, so Security {options.Security} refuses the session rather than send the password in plaintext: use the server's IMAPS port (993) with SslOnConnect, or set Security to None for a trusted network.",
                MailServerFailure.Permanent,
                e);
        }
    }

    private async Task LogInWithTokenAsync(string mailbox, ImapClient client, string endpoint, string username, string token, CancellationToken cancellationToken)
    {
        var mechanism = OAuthTokenMechanisms.Choose(client.AuthenticationMechanisms, username, token, endpoint, "IMAP");
        Log.Authenticating(logger, mailbox, mechanism.MechanismName);
        await client.AuthenticateAsync(mechanism, cancellationToken);
    }

    private async Task LogInWithPasswordAsync(string mailbox, ImapClient client, string endpoint, string username, string password, CancellationToken cancellationToken)
    {
        var credentials = new NetworkCredential(username, password);
        if (PasswordLogin.ChooseMechanism(client.AuthenticationMechanisms) is { } mechanism)
        {
            Log.Authenticating(logger, mailbox, mechanism);
            await client.AuthenticateAsync(SaslMechanism.Create(mechanism, credentials)!, cancellationToken);
            return;
        }

        if (client.Capabilities.HasFlag(ImapCapabilities.LoginDisabled))
        {
            throw new MailServerException(
                $"{endpoint} allows no IMAP LOGIN (LOGINDISABLED) and offers no SASL mechanism for a password (SASL: {(client.AuthenticationMechanisms.Count == 0 ? "none" : string.Join(' ', client.AuthenticationMechanisms))}): connect with TLS (Security), or log in with OAuth2.",
                MailServerFailure.Permanent);
        }

        // With no mechanism left to try, MailKit sends the one LOGIN command and nothing else.
        Log.Authenticating(logger, mailbox, "LOGIN");
        client.AuthenticationMechanisms.Clear();
        await client.AuthenticateAsync(credentials, cancellationToken);
    }

    /// <summary>
    /// Deleting exactly the ingested messages needs UID EXPUNGE (UIDPLUS): a plain EXPUNGE would also remove messages
    /// other clients marked <c>\Deleted</c>. Refused at login, before anything is fetched, rather than at the first deletion.
    /// </summary>
    private static void RefuseWhatTheServerCannotDo(ImapClient client, MailboxOptions options, string endpoint)
    {
        var capabilities = client.Capabilities;
        if (options.DeleteAfterIngest && !capabilities.HasFlag(ImapCapabilities.UidPlus))
        {
            throw new MailServerException(
                $"{endpoint} does not offer UIDPLUS, so DeleteAfterIngest cannot expunge exactly the ingested messages (a plain EXPUNGE would also remove what other clients marked \\Deleted): set DeleteAfterIngest to false, or MoveToFolder if the server offers MOVE.",
                MailServerFailure.Permanent);
        }

        if (options.MoveToFolder.Length > 0 && !capabilities.HasFlag(ImapCapabilities.Move) && !capabilities.HasFlag(ImapCapabilities.UidPlus))
        {
            throw new MailServerException(
                $"{endpoint} offers neither MOVE nor UIDPLUS, so MoveToFolder cannot remove exactly the ingested messages from their folder (a plain EXPUNGE would also remove what other clients marked \\Deleted): leave MoveToFolder empty.",
                MailServerFailure.Permanent);
        }
    }

    /// <summary>Each folder's STATUS (UIDNEXT, UIDVALIDITY, MESSAGES): one command a folder, plus a LIST to find a folder other than INBOX.</summary>
    private static async Task<IReadOnlyList<ListedFolder>> StatusAsync(ImapClient client, MailboxOptions options, CancellationToken cancellationToken)
    {
        var folders = new List<ListedFolder>();
        foreach (var name in options.EffectiveFolders)
        {
            var folder = await FindAsync(client, name, cancellationToken);
            await folder.StatusAsync(StatusItems.UidNext | StatusItems.UidValidity | StatusItems.Count, cancellationToken);
            folders.Add(new ListedFolder(folder, folder.UidValidity, folder.UidNext?.Id, folder.Count));
        }

        return folders;
    }

    private static async Task<SpoolingImapFolder> FindAsync(ImapClient client, string name, CancellationToken cancellationToken) =>
        (SpoolingImapFolder)(string.Equals(name, "INBOX", StringComparison.OrdinalIgnoreCase) ? client.Inbox : await client.GetFolderAsync(name, cancellationToken));

    private static async Task ConnectToHostAsync(ImapClient client, MailboxOptions options, SecureSocketOptions security, CancellationToken cancellationToken)
    {
        var port = TransportSecurity.Imap.Port(options);
        var socket = await ServerSocket.ConnectAsync(options.Host, port, cancellationToken);
        try
        {
            // Given the socket, MailKit applies its Timeout to every read and write, asynchronous ones too.
            await client.ConnectAsync(socket, options.Host, port, security, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    internal static string Endpoint(MailboxOptions options) => $"{options.Host}:{TransportSecurity.Imap.Port(options)}";
}

/// <summary>A folder as STATUS gave it at login.</summary>
internal sealed record ListedFolder(SpoolingImapFolder Folder, uint UidValidity, uint? UidNext, int Messages)
{
    public string Name => Folder.FullName;
}
