using MailIngest.Login;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailIngest.Pop3.Tests;

/// <summary>
/// A <see cref="Pop3MailServer"/> whose every connection replays the next of a list of transcripts; the transcripts are
/// plaintext, so mailboxes that use it set Security None (<see cref="Transcript.Options"/>).
/// </summary>
internal sealed class ReplayServer
{
    private readonly Queue<Pop3ReplayStream> _connections;
    private readonly List<Pop3ReplayStream> _used = [];

    public ReplayServer(params IEnumerable<Pop3Exchange>[] sessions)
        : this(protocolLog: null, sessions)
    {
    }

    /// <param name="protocolLog">The <c>--protocol-log</c> file the sessions write to.</param>
    /// <param name="sessions">One transcript per connection.</param>
    public ReplayServer(ProtocolLog? protocolLog, params IEnumerable<Pop3Exchange>[] sessions)
    {
        _connections = new Queue<Pop3ReplayStream>(sessions.Select(s => new Pop3ReplayStream(s)));
        Server = new Pop3MailServer(
            (_, _) =>
            {
                var stream = _connections.TryDequeue(out var next)
                    ? next
                    : throw new InvalidOperationException($"Connection {_used.Count + 1} was not expected: only {_used.Count} transcripts were given.");
                _used.Add(stream);
                return Task.FromResult<Stream>(stream);
            },
            NullLogger.Instance,
            [new AccessTokenFileSource()],
            protocolLog);
    }

    public Pop3MailServer Server { get; }

    /// <summary>The transcripts played so far, in connection order.</summary>
    public IReadOnlyList<Pop3ReplayStream> Connections => _used;

    /// <summary>Every command the client sent, over all connections.</summary>
    public IEnumerable<string> Commands => _used.SelectMany(c => c.Commands);
}
