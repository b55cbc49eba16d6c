using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailIngest.Pop3.Tests;

/// <summary>A <see cref="Pop3MailServer"/> whose every connection replays the next of a list of transcripts.</summary>
internal sealed class ReplayServer
{
    private readonly Queue<Pop3ReplayStream> _connections;
    private readonly List<Pop3ReplayStream> _used = [];

    public ReplayServer(params IEnumerable<Pop3Exchange>[] sessions)
    {
        _connections = new Queue<Pop3ReplayStream>(sessions.Select(s => new Pop3ReplayStream(s)));
        Server = new Pop3MailServer(
            (client, options, ct) =>
            {
                var stream = _connections.TryDequeue(out var next)
                    ? next
                    : throw new InvalidOperationException($"Connection {_used.Count + 1} was not expected: only {_used.Count} transcripts were given.");
                _used.Add(stream);
                return client.ConnectAsync(stream, options.Host, 110, SecureSocketOptions.None, ct);
            },
            NullLogger.Instance,
            [new AccessTokenFileSource()]);
    }

    public Pop3MailServer Server { get; }

    /// <summary>The transcripts played so far, in connection order.</summary>
    public IReadOnlyList<Pop3ReplayStream> Connections => _used;

    /// <summary>Every command the client sent, over all connections.</summary>
    public IEnumerable<string> Commands => _used.SelectMany(c => c.Commands);
}
