using System.Globalization;
using System.Net.Security;
using MailIngest.Login;
using MailKit.Security;

namespace MailIngest.Pop3.Protocol;

/// <summary>
/// A POP3 session (RFC 1939, with RFC 2449 CAPA and response codes, RFC 2595 STLS, RFC 5034 SASL) that streams every
/// message: <see cref="RetrieveAsync"/> hands each RETR reply to its consumer as it arrives, so no message is held whole
/// in memory (MailKit's <c>Pop3Client</c> copies each into a memory stream first). It follows MailKit's client in what
/// it sends and when: greeting, CAPA, STLS and CAPA again, the login, then CAPA, STAT and, when the server announced
/// no UIDL, a <c>UIDL 1</c> probe. Authentication uses MailKit's <see cref="SaslMechanism"/>s. Every command runs under
/// a <see cref="Pop3Deadline"/> scaled by what it transfers. Message numbers are 1-based, as on the wire.
/// </summary>
internal sealed class Pop3Client : IAsyncDisposable
{
    /// <summary>
    /// RETRs (and DELEs) in flight at once when the server offers PIPELINING: enough that the server always holds the
    /// next command while a reply is being read, so a run of small messages does not wait a round trip each; few enough
    /// that the commands never fill the server's receive buffer while the client is busy reading.
    /// </summary>
    public const int PipelineWindow = 16;

    /// <summary>The most of a TOP reply kept: a header block larger than this is cut (and says so), not held whole.</summary>
    public const int MaxHeaderBlock = 256 * 1024;

    /// <summary>What one line of a UIDL or LIST listing is allowed for its deadline: a message number and a 70-character UIDL, generously.</summary>
    private const int ListingLineOctets = 80;

    /// <summary>RFC 2449 section 4: a command line, CRLF included, is at most 255 octets; a longer SASL initial response waits for the continuation.</summary>
    private const int MaxCommandOctets = 255;

    private readonly Pop3Connection _connection;
    private readonly string _host;
    private readonly int _port;
    private readonly string? _apopTimestamp;
    private IReadOnlyList<long>? _sizes;
    private bool? _uidlProbe;
    private bool _deleSent;

    private Pop3Client(Pop3Connection connection, string host, int port, string? apopTimestamp)
    {
        _connection = connection;
        _host = host;
        _port = port;
        _apopTimestamp = apopTimestamp;
    }

    /// <summary>What the latest CAPA announced: before login, then after it.</summary>
    public ServerCapabilities Capabilities { get; private set; } = ServerCapabilities.None;

    /// <summary>What CAPA announced before login: the SASL mechanisms offered, the LOGIN-DELAY a refused login means.</summary>
    public ServerCapabilities LoginCapabilities { get; private set; } = ServerCapabilities.None;

    /// <summary>The greeting offered APOP (a timestamp).</summary>
    public bool OffersApop => _apopTimestamp is not null;

    public bool IsEncrypted => _connection.IsEncrypted;

    /// <summary>Messages in the mailbox, by STAT after login.</summary>
    public int MessageCount { get; private set; }

    /// <summary>Octets in the mailbox, by STAT after login.</summary>
    public long MailboxSize { get; private set; }

    /// <summary>The capabilities of this session: announced after login, APOP if greeted with a timestamp, UIDL if the probe found it.</summary>
    public IReadOnlyList<string> CapabilityNames =>
    [
        .. Capabilities.Names,
        .. OffersApop && !Capabilities.Has("APOP") ? ["APOP"] : Array.Empty<string>(),
        .. _uidlProbe == true && !Capabilities.Uidl ? ["UIDL"] : Array.Empty<string>(),
    ];

    /// <summary>
    /// Starts a session over <paramref name="stream"/>: TLS first when <paramref name="tlsOnConnect"/> is given (POP3S),
    /// then the greeting and CAPA. The stream is owned from now on, and closed when this fails.
    /// </summary>
    /// <param name="stream">The connection to the server at <paramref name="host"/> and <paramref name="port"/>.</param>
    /// <param name="host">The server's host name, for messages and SASL.</param>
    /// <param name="port">The server's port, for messages and SASL.</param>
    /// <param name="timeout">The mailbox's Timeout: the longest any read or write may wait, and what short commands get in all.</param>
    /// <param name="tlsOnConnect">TLS to negotiate before the greeting (POP3S); null for none.</param>
    /// <param name="log">The session's protocol log, if one is kept.</param>
    /// <param name="cancellationToken">Cancels the greeting and CAPA.</param>
    public static async Task<Pop3Client> ConnectAsync(
        Stream stream, string host, int port, TimeSpan timeout, SslClientAuthenticationOptions? tlsOnConnect, Pop3ConversationLog? log, CancellationToken cancellationToken)
    {
        var endpoint = $"{host}:{port}";
        var connection = new Pop3Connection(stream, endpoint, timeout, log);
        try
        {
            log?.Note($"connected to {endpoint}");
            Pop3Reply greeting;
            using (var deadline = connection.Deadline("the greeting", timeout, cancellationToken))
            {
                if (tlsOnConnect is not null)
                {
                    await connection.StartTlsAsync(tlsOnConnect, deadline);
                }

                greeting = (await connection.ReadReplyAsync(deadline)).EnsureOk("the connection");
            }

            var client = new Pop3Client(connection, host, port, ApopChallenge.TimestampOf(greeting.Text));
            await client.QueryCapabilitiesAsync(cancellationToken);
            client.LoginCapabilities = client.Capabilities;
            return client;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>STLS, TLS, and CAPA again: what a server announced before TLS may have been tampered with.</summary>
    public async Task StartTlsAsync(SslClientAuthenticationOptions tls, CancellationToken cancellationToken)
    {
        using (var deadline = ShortDeadline("STLS", cancellationToken))
        {
            (await _connection.CommandAsync("STLS", deadline)).EnsureOk("STLS");
            await _connection.StartTlsAsync(tls, deadline);
        }

        await QueryCapabilitiesAsync(cancellationToken);
        LoginCapabilities = Capabilities;
    }

    /// <summary>
    /// Logs in with a SASL mechanism (RFC 5034): its initial response on the AUTH line when it has one and the line stays
    /// within 255 octets, else after the server's empty continuation; then one response per challenge until the server
    /// answers. A server that still challenges a mechanism with nothing more to say is cancelled with "*". Every client
    /// line of the exchange is redacted in the protocol log.
    /// </summary>
    public async Task AuthenticateAsync(SaslMechanism mechanism, CancellationToken cancellationToken)
    {
        SaslServiceUri.Set(mechanism, _host, _port);
        var command = $"AUTH {mechanism.MechanismName}";
        var redacted = $"{command} {ProtocolLog.Redacted}";
        Pop3Reply reply;
        using (var deadline = ShortDeadline(command, cancellationToken))
        {
            var initial = mechanism.SupportsInitialResponse ? await mechanism.ChallengeAsync(null, cancellationToken) : null;
            if (initial is not null && command.Length + 1 + Math.Max(1, initial.Length) + 2 <= MaxCommandOctets)
            {
                // RFC 5034: an empty initial response is sent as "=".
                reply = await _connection.CommandAsync($"{command} {(initial.Length == 0 ? "=" : initial)}", deadline, redacted);
            }
            else
            {
                reply = await _connection.CommandAsync(command, deadline);
                if (initial is not null && reply.Status == Pop3ReplyStatus.Continuation)
                {
                    reply = await _connection.CommandAsync(initial, deadline, ProtocolLog.Redacted);
                }
            }

            while (reply.Status == Pop3ReplyStatus.Continuation && !mechanism.IsAuthenticated)
            {
                var response = await mechanism.ChallengeAsync(reply.Text, cancellationToken);
                reply = await _connection.CommandAsync(response, deadline, ProtocolLog.Redacted);
            }

            if (reply.Status == Pop3ReplyStatus.Continuation)
            {
                reply = await _connection.CommandAsync("*", deadline);
            }
        }

        reply.EnsureOk(command, duringLogin: true);
        await OnLoggedInAsync(cancellationToken);
    }

    /// <summary>Logs in with APOP; the digest never reaches the protocol log.</summary>
    public async Task ApopAsync(string username, string password, CancellationToken cancellationToken)
    {
        var timestamp = _apopTimestamp ?? throw new InvalidOperationException("The greeting offered no APOP timestamp.");
        using (var deadline = ShortDeadline("APOP", cancellationToken))
        {
            var command = $"APOP {username} {ApopChallenge.Digest(timestamp, password)}";
            (await _connection.CommandAsync(command, deadline, $"APOP {username} {ProtocolLog.Redacted}")).EnsureOk("APOP", duringLogin: true);
        }

        await OnLoggedInAsync(cancellationToken);
    }

    /// <summary>Logs in with USER and PASS; the password never reaches the protocol log.</summary>
    public async Task UserPassAsync(string username, string password, CancellationToken cancellationToken)
    {
        using (var deadline = ShortDeadline("USER", cancellationToken))
        {
            (await _connection.CommandAsync($"USER {username}", deadline)).EnsureOk("USER", duringLogin: true);
        }

        using (var deadline = ShortDeadline("PASS", cancellationToken))
        {
            (await _connection.CommandAsync($"PASS {password}", deadline, $"PASS {ProtocolLog.Redacted}")).EnsureOk("PASS", duringLogin: true);
        }

        await OnLoggedInAsync(cancellationToken);
    }

    /// <summary>The unique ID of every message, in server order (UIDL).</summary>
    /// <exception cref="NotSupportedException">The server announced no UIDL and refused the probe after login.</exception>
    public async Task<IReadOnlyList<string>> UidlAsync(CancellationToken cancellationToken)
    {
        if (_uidlProbe == false)
        {
            throw new NotSupportedException($"{_connection.Endpoint} announces no UIDL and refused UIDL 1.");
        }

        var uidls = new List<string>(MessageCount);
        await ListingAsync("UIDL", line => uidls.Add(ParseListingLine("UIDL", line, uidls.Count + 1)), cancellationToken);
        return uidls;
    }

    /// <summary>The size of every message in octets, in server order (LIST); kept to scale the deadlines of RETR and TOP.</summary>
    public async Task<IReadOnlyList<long>> ListAsync(CancellationToken cancellationToken)
    {
        var sizes = new List<long>(MessageCount);
        await ListingAsync(
            "LIST",
            line =>
            {
                var size = ParseListingLine("LIST", line, sizes.Count + 1);
                sizes.Add(long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var octets)
                    ? octets
                    : throw new Pop3ProtocolException($"LIST gave message {sizes.Count + 1} the size '{size}'"));
            },
            cancellationToken);
        _sizes = sizes;
        return sizes;
    }

    /// <summary>
    /// The header block of a message and <paramref name="bodyLines"/> lines of its body (TOP, RFC 1939 section 7), at
    /// most <see cref="MaxHeaderBlock"/> octets of it; <see cref="HeaderBlock.Octets"/> tells when the server sent more.
    /// </summary>
    public async Task<HeaderBlock> TopAsync(int number, int bodyLines, CancellationToken cancellationToken)
    {
        var command = string.Create(CultureInfo.InvariantCulture, $"TOP {number} {bodyLines}");
        using var deadline = _connection.Deadline(command, Pop3Deadline.Allowance(_connection.Timeout, ExpectedOctets(number)), cancellationToken);
        (await _connection.CommandAsync(command, deadline)).EnsureOk(command);
        await using var data = new MessageDataStream(_connection, deadline);
        var kept = new byte[MaxHeaderBlock];
        var length = 0;
        int read;
        while (length < kept.Length && (read = await data.ReadAsync(kept.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        await data.DrainAsync();
        _connection.Log?.Note(string.Create(CultureInfo.InvariantCulture, $"{data.Octets} octets of the reply to {command} (not logged)"));
        return new HeaderBlock(kept.AsMemory(0, length), data.Octets);
    }

    /// <summary>
    /// Retrieves the messages (RETR) in the order given and hands each one's exact bytes to <paramref name="consume"/>
    /// while they arrive, as a read-only stream that ends with the message; what the consumer does not read is read
    /// and dropped after it returns. With PIPELINING, up to <see cref="PipelineWindow"/> RETRs are in flight. A RETR the
    /// server refuses for that message alone (<c>-ERR</c> without a response code that speaks of the server, RFC 2449)
    /// goes to <paramref name="refused"/> and the rest follow. A failure of the consumer ends the call after the replies
    /// in flight are read, so the session can go on; a failure of the connection ends the session.
    /// </summary>
    public Task RetrieveAsync(
        IReadOnlyList<int> messageNumbers,
        Func<int, Stream, CancellationToken, Task> consume,
        Func<int, string, CancellationToken, Task> refused,
        CancellationToken cancellationToken) =>
        PipelineAsync(
            "RETR",
            messageNumbers,
            number => Pop3Deadline.Allowance(_connection.Timeout, ExpectedOctets(number)),
            async (number, deadline) =>
            {
                await using var data = new MessageDataStream(_connection, deadline);
                try
                {
                    await consume(number, data, cancellationToken);
                }
                finally
                {
                    // Read to the end even when the consumer failed: the next reply follows it.
                    if (!_connection.IsBroken)
                    {
                        await data.DrainAsync();
                    }
                }

                _connection.Log?.Note(string.Create(CultureInfo.InvariantCulture, $"{data.Octets} octets of message {number} (not logged)"));
            },
            cancellationToken,
            (number, reply) => Pop3ResponseCodes.SpeaksOfTheServer(reply.Text) ? null : refused(number, reply.Text, cancellationToken));

    /// <summary>Marks messages for deletion (DELE), pipelined like RETR; the server deletes them only at <see cref="QuitAsync"/>.</summary>
    public Task DeleteAsync(IReadOnlyList<int> messageNumbers, CancellationToken cancellationToken)
    {
        if (messageNumbers.Count > 0)
        {
            // Set before the first DELE leaves: the server may act on one whose reply never arrives.
            _deleSent = true;
        }

        return PipelineAsync("DELE", messageNumbers, _ => _connection.Timeout, (_, _) => Task.CompletedTask, cancellationToken);
    }

    /// <summary>
    /// Ends the session with QUIT, at which the server applies the DELEs. Without its <c>+OK</c> the deletions may not
    /// have been applied, which is a failure only when DELEs were sent: a session that deleted nothing has nothing to
    /// lose (issue #12 item 11).
    /// </summary>
    public async Task QuitAsync(CancellationToken cancellationToken)
    {
        string unacknowledged;
        Exception? cause = null;
        try
        {
            using var deadline = ShortDeadline("QUIT", cancellationToken);
            var reply = await _connection.CommandAsync("QUIT", deadline);
            if (reply.IsOk)
            {
                return;
            }

            unacknowledged = $"it answered -ERR {reply.Text}";
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            (unacknowledged, cause) = (e.Message, e);
        }
        finally
        {
            await _connection.DisposeAsync();
        }

        if (_deleSent)
        {
            throw new IOException($"{_connection.Endpoint} did not acknowledge QUIT ({unacknowledged}), so its deletions may not have been applied", cause);
        }

        _connection.Log?.Note($"QUIT not acknowledged ({unacknowledged}); no DELE was sent, so nothing depended on it");
    }

    /// <summary>Closes the connection without QUIT: the server applies no deletion.</summary>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private Pop3Deadline ShortDeadline(string command, CancellationToken cancellationToken) =>
        _connection.Deadline(command, _connection.Timeout, cancellationToken);

    private long ExpectedOctets(int number) =>
        _sizes is { } sizes && number >= 1 && number <= sizes.Count ? sizes[number - 1] : 0;

    private async Task QueryCapabilitiesAsync(CancellationToken cancellationToken)
    {
        using var deadline = ShortDeadline("CAPA", cancellationToken);
        var reply = await _connection.CommandAsync("CAPA", deadline);
        if (!reply.IsOk)
        {
            // RFC 1939 servers know no CAPA.
            Capabilities = ServerCapabilities.None;
            return;
        }

        var lines = new List<string>();
        await foreach (var line in _connection.ReadListingAsync(deadline))
        {
            lines.Add(line);
        }

        Capabilities = ServerCapabilities.Parse(lines);
    }

    /// <summary>After login, as MailKit: CAPA (the server may announce more now), STAT, and the UIDL probe.</summary>
    private async Task OnLoggedInAsync(CancellationToken cancellationToken)
    {
        await QueryCapabilitiesAsync(cancellationToken);
        using (var deadline = ShortDeadline("STAT", cancellationToken))
        {
            var stat = (await _connection.CommandAsync("STAT", deadline)).EnsureOk("STAT");
            var words = stat.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2
                || !int.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                || !long.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                throw new Pop3ProtocolException($"STAT's reply '{stat.Text}' is not a message count and a size");
            }

            (MessageCount, MailboxSize) = (count, size);
        }

        if (!Capabilities.Uidl && MessageCount > 0)
        {
            // A server without CAPA may still know UIDL (MailKit's probe); a refusal is what tells.
            using var deadline = ShortDeadline("UIDL 1", cancellationToken);
            _uidlProbe = (await _connection.CommandAsync("UIDL 1", deadline)).IsOk;
        }
    }

    /// <summary>A UIDL or LIST listing, whose deadline grows with the message count STAT gave.</summary>
    private async Task ListingAsync(string command, Action<string> onLine, CancellationToken cancellationToken)
    {
        using var deadline = _connection.Deadline(command, Pop3Deadline.Allowance(_connection.Timeout, (long)MessageCount * ListingLineOctets), cancellationToken);
        (await _connection.CommandAsync(command, deadline)).EnsureOk(command);
        try
        {
            await foreach (var line in _connection.ReadListingAsync(deadline))
            {
                onLine(line);
            }
        }
        catch (Pop3ProtocolException)
        {
            // A line that does not parse leaves the rest of the listing unread: the session is out of step.
            _connection.Abort();
            throw;
        }
    }

    /// <summary>"n value": the value, when n is the expected message number (as MailKit checks it).</summary>
    private static string ParseListingLine(string command, string line, int expected)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length >= 2 && int.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number == expected
            ? words[1]
            : throw new Pop3ProtocolException($"{command} listed '{line}' where message {expected} belongs");
    }

    /// <summary>
    /// Sends one command per message, at most <see cref="PipelineWindow"/> ahead of the reply being read when the server
    /// offers PIPELINING (one at a time otherwise), and hands each <c>+OK</c> to <paramref name="onOk"/> in order. When
    /// a reply is refused or <paramref name="onOk"/> fails, the replies in flight are read and dropped before the
    /// failure is thrown, so the connection stays in step; if even that fails, the connection is closed.
    /// </summary>
    private async Task PipelineAsync(
        string verb,
        IReadOnlyList<int> numbers,
        Func<int, TimeSpan> allowance,
        Func<int, Pop3Deadline, Task> onOk,
        CancellationToken cancellationToken,
        Func<int, Pop3Reply, Task?>? onError = null)
    {
        // onError takes an -ERR that concerns its message alone (and returns the task handling it), or returns null to fail the call.
        var window = Capabilities.Pipelining ? PipelineWindow : 1;
        var sent = 0;
        for (var i = 0; i < numbers.Count; i++)
        {
            var command = string.Create(CultureInfo.InvariantCulture, $"{verb} {numbers[i]}");
            using var deadline = _connection.Deadline(command, allowance(numbers[i]), cancellationToken);
            try
            {
                for (; sent < numbers.Count && sent - i < window; sent++)
                {
                    _connection.Queue(string.Create(CultureInfo.InvariantCulture, $"{verb} {numbers[sent]}"));
                }

                await _connection.FlushAsync(deadline);
                var reply = await _connection.ReadReplyAsync(deadline);
                if (!reply.IsOk && onError?.Invoke(numbers[i], reply) is { } handled)
                {
                    await handled;
                    continue;
                }

                reply.EnsureOk(command);
                await onOk(numbers[i], deadline);
            }
            catch when (!_connection.IsBroken && sent > i + 1)
            {
                await SkipRepliesAsync(verb, numbers, i + 1, sent, allowance, cancellationToken);
                throw;
            }
        }
    }

    /// <summary>Reads and drops the replies to commands already sent, data included.</summary>
    private async Task SkipRepliesAsync(
        string verb, IReadOnlyList<int> numbers, int from, int to, Func<int, TimeSpan> allowance, CancellationToken cancellationToken)
    {
        try
        {
            for (var i = from; i < to; i++)
            {
                var command = string.Create(CultureInfo.InvariantCulture, $"{verb} {numbers[i]}");
                using var deadline = _connection.Deadline(command, allowance(numbers[i]), cancellationToken);
                if ((await _connection.ReadReplyAsync(deadline)).IsOk && verb == "RETR")
                {
                    await using var data = new MessageDataStream(_connection, deadline);
                    await data.DrainAsync();
                }
            }
        }
        catch (Exception e) when (e is IOException or TimeoutException or OperationCanceledException)
        {
            // Out of step with the server: the session cannot go on, and the caller's failure is what to report.
            _connection.Abort();
        }
    }
}

/// <summary>What TOP returned: at most <see cref="Pop3Client.MaxHeaderBlock"/> octets, of <see cref="Octets"/> sent.</summary>
internal sealed record HeaderBlock(ReadOnlyMemory<byte> Bytes, long Octets)
{
    /// <summary>The server sent more than was kept.</summary>
    public bool IsCut => Octets > Bytes.Length;
}
