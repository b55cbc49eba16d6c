using System.Globalization;
using System.Collections.Concurrent;
using System.Text;
using MailIngest.Configuration;
using MailIngest.Sources;

namespace MailIngest.Core.Tests.Fakes;

/// <summary>
/// Our own source port, scripted: a mailbox of messages a test controls, with POP3's session rules (positions per
/// session, deletions applied at commit) and faults on demand. The real POP3 layer is tested against Dovecot and
/// recorded transcripts; this is for the run's own logic.
/// </summary>
internal sealed class ScriptedServer : IMailSource
{
    private readonly Lock _sync = new();
    private readonly List<(string Id, byte[] Content)> _messages = [];

    /// <summary>Every command the sessions sent, e.g. "LIST", "RETR u3", "DELE u3", "QUIT".</summary>
    public ConcurrentQueue<string> Commands { get; } = new();

    /// <summary>Sessions opened (logins), and of them closed (disposed, with or without a QUIT).</summary>
    public int Sessions { get; private set; }

    public int Closed { get; private set; }

    /// <summary>Called at each login; a failure it returns is the login's (a refused connection, a wrong password).</summary>
    public Func<MailServerException?> OnOpen { get; set; } = () => null;

    /// <summary>Decides, per message ID, whether its retrieval fails the whole session (a dropped connection) before it is sent.</summary>
    public Func<string, MailServerException?> FailRetrieval { get; set; } = _ => null;

    /// <summary>IDs whose RETR the server answers with -ERR.</summary>
    public HashSet<string> Refused { get; } = new(StringComparer.Ordinal);

    /// <summary>Sizes the server lists instead of the real ones (Exchange's estimates, or a test's lie).</summary>
    public Dictionary<string, long> ListedSizes { get; } = new(StringComparer.Ordinal);

    /// <summary>What each session asks the ledger to remember (<see cref="IMailSession.SourceState"/>); null: nothing, as POP3.</summary>
    public string? SourceState { get; set; }

    /// <summary>The listing request of the last session, with what the ledger remembered.</summary>
    public ListingRequest? LastRequest { get; private set; }

    /// <summary>Whether QUIT is acknowledged; when not, deletions are not applied and the commit fails.</summary>
    public bool AcknowledgeQuit { get; set; } = true;

    public IReadOnlyList<string> Ids
    {
        get
        {
            lock (_sync)
            {
                return [.. _messages.Select(m => m.Id)];
            }
        }
    }

    public void Deliver(string id, string content)
    {
        lock (_sync)
        {
            _messages.Add((id, Encoding.UTF8.GetBytes(content)));
        }
    }

    /// <summary>Another client deletes the message.</summary>
    public void Remove(string id)
    {
        lock (_sync)
        {
            _messages.RemoveAll(m => m.Id == id);
        }
    }

    /// <summary>A message nested <paramref name="depth"/> multiparts deep: quarantined under the default DecoderLimits.MaxDepth.</summary>
    public static string Nested(int n, int depth)
    {
        var text = new StringBuilder(
            $"From: a@example.com\r\nSubject: nested {n}\r\nMessage-ID: <nested{n}@example.com>\r\nDate: Tue, 3 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n");
        for (var level = 0; level < depth; level++)
        {
            text.Append(CultureInfo.InvariantCulture, $"Content-Type: multipart/mixed; boundary=\"b{level}\"\r\n\r\n--b{level}\r\n");
        }

        text.Append("Content-Type: text/plain\r\n\r\ndeep down\r\n");
        for (var level = depth - 1; level >= 0; level--)
        {
            text.Append(CultureInfo.InvariantCulture, $"--b{level}--\r\n");
        }

        return text.ToString();
    }

    public static string Message(int n, int paddingBytes = 0) =>
        $"From: sender{n}@example.com\r\nTo: support@example.com\r\nSubject: Message {n}\r\nMessage-ID: <m{n}@example.com>\r\n" +
        $"Date: Mon, 2 Nov 2026 10:{n % 60:00}:00 +0000\r\n\r\nBody of message {n}.\r\n{new string('x', paddingBytes)}\r\n";

    public bool Serves(MailboxOptions options) => true;

    public Task<IMailSession> OpenAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            Sessions++;
            return OnOpen() is { } failure ? Task.FromException<IMailSession>(failure) : Task.FromResult<IMailSession>(new Session(this, [.. _messages]));
        }
    }

    private void Close()
    {
        lock (_sync)
        {
            Closed++;
        }
    }

    private void Apply(IReadOnlyCollection<string> deleted)
    {
        lock (_sync)
        {
            _messages.RemoveAll(m => deleted.Contains(m.Id));
        }
    }

    private sealed class Session(ScriptedServer server, List<(string Id, byte[] Content)> messages) : IMailSession
    {
        private readonly HashSet<int> _deleted = [];

        public TimeSpan? LoginDelay => null;

        public MailServerInfo Info => new("scripted:110", "scripted", false, ["UIDL", "TOP", "PIPELINING"], [], null, messages.Count, messages.Sum(m => m.Content.Length));

        public string? SourceState => server.SourceState;

        public Task<IReadOnlyList<ListedMessage>> ListAsync(ListingRequest request, CancellationToken cancellationToken)
        {
            server.LastRequest = request;
            server.Commands.Enqueue("UIDL");
            return Task.FromResult<IReadOnlyList<ListedMessage>>([.. messages.Select(m => new ListedMessage(m.Id))]);
        }

        public Task<IReadOnlyList<long?>> GetSizesAsync(IReadOnlyCollection<int> positions, CancellationToken cancellationToken)
        {
            server.Commands.Enqueue("LIST");
            return Task.FromResult<IReadOnlyList<long?>>([.. messages.Select(m => (long?)server.ListedSizes.GetValueOrDefault(m.Id, m.Content.Length))]);
        }

        public async Task RetrieveAsync(IReadOnlyList<int> positions, IRetrievalTarget target, CancellationToken cancellationToken)
        {
            foreach (var position in positions)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (id, content) = messages[position];
                server.Commands.Enqueue($"RETR {id}");
                if (server.FailRetrieval(id) is { } failure)
                {
                    throw failure;
                }

                if (server.Refused.Contains(id))
                {
                    await target.RefusedAsync(position, "-ERR message is damaged", cancellationToken);
                    continue;
                }

                var stream = target.Open(position);
                await stream.WriteAsync(content, cancellationToken);
                await target.CompletedAsync(position, cancellationToken);
            }
        }

        public Task<string> ReadHeaderAsync(int position, int maxBytes, CancellationToken cancellationToken)
        {
            server.Commands.Enqueue($"TOP {messages[position].Id}");
            var text = Encoding.UTF8.GetString(messages[position].Content);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            return Task.FromResult(end < 0 ? text : text[..(end + 2)]);
        }

        public Task DeleteAsync(IReadOnlyList<int> positions, CancellationToken cancellationToken)
        {
            foreach (var position in positions)
            {
                server.Commands.Enqueue($"DELE {messages[position].Id}");
                _deleted.Add(position);
            }

            return Task.CompletedTask;
        }

        public Task CommitAsync(CancellationToken cancellationToken)
        {
            server.Commands.Enqueue("QUIT");
            if (!server.AcknowledgeQuit && _deleted.Count > 0)
            {
                throw new MailServerException("the connection was lost before QUIT was acknowledged", MailServerFailure.Transient);
            }

            server.Apply([.. _deleted.Select(p => messages[p].Id)]);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            server.Close();
            return ValueTask.CompletedTask;
        }
    }
}
