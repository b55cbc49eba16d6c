using System.Text;
using MailIngest.Login;
using MailIngest.Pop3.Protocol;

namespace MailIngest.Pop3.Tests;

/// <summary>
/// What real servers said, checked in under <c>Resources/</c> (see its README.md): Dovecot sessions recorded with
/// <c>--protocol-log</c>, and replies of Gmail and Exchange from MailKit's test suite.
/// </summary>
internal static class Recorded
{
    /// <summary>The client lines a protocol log redacts, and what the replayed client sends in their place.</summary>
    private static readonly Dictionary<string, string> Secrets = new(StringComparer.Ordinal)
    {
        // The recording's credentials were the integration tests'; the replayed client logs in with Transcript's.
        [$"AUTH PLAIN {ProtocolLog.Redacted}"] = Transcript.AuthPlain,
    };

    /// <summary>
    /// One reply, from a file of MailKit's (one reply a file, LF line ends), with the CRLF line ends POP3 sends, as
    /// MailKit's own replay stream serves it.
    /// </summary>
    public static string Reply(string path) => File.ReadAllText(PathOf(path)).ReplaceLineEndings("\r\n");

    /// <summary>
    /// One session of a <c>--protocol-log</c> file as the replay stream's exchanges: the greeting, then each client line
    /// with the server's reply to it (replies to pipelined commands follow the commands in order; a multi-line reply
    /// runs to its "." line). A redacted line is filled in from <see cref="Secrets"/>. Messages cannot be replayed: the
    /// log leaves them out.
    /// </summary>
    public static IReadOnlyList<Pop3Exchange> Session(string path)
    {
        var exchanges = new List<(string? Command, StringBuilder Response)>();
        var waiting = new Queue<int>();
        var connections = 0;
        foreach (var line in File.ReadAllLines(PathOf(path)))
        {
            // "time mailbox tag text", the text possibly empty (ProtocolLog.Write).
            var parts = line.Split(' ', 4);
            var (tag, text) = (parts[2], parts.Length > 3 ? parts[3] : "");
            switch (tag)
            {
                case "--" when text.StartsWith("connected to ", StringComparison.Ordinal):
                    if (++connections > 1)
                    {
                        throw new InvalidDataException($"{path} holds more than one session.");
                    }

                    exchanges.Add((null, new StringBuilder()));
                    waiting.Enqueue(0);
                    break;
                case "--" when text.EndsWith("(not logged)", StringComparison.Ordinal):
                    throw new InvalidDataException($"{path}: {text}. The protocol log leaves messages out, so a session with one cannot be replayed.");
                case "--":
                    break;
                case "C:":
                    if (text.Contains(ProtocolLog.Redacted, StringComparison.Ordinal) && !Secrets.ContainsKey(text))
                    {
                        throw new InvalidDataException($"{path}: the redacted line '{text}' has no stand-in in Recorded.Secrets.");
                    }

                    exchanges.Add((Secrets.GetValueOrDefault(text, text), new StringBuilder()));
                    waiting.Enqueue(exchanges.Count - 1);
                    break;
                case "S:":
                    var (command, response) = exchanges[waiting.Peek()];
                    response.Append(text).Append("\r\n");
                    if (IsComplete(command, response.ToString(), text))
                    {
                        waiting.Dequeue();
                    }

                    break;
                default:
                    throw new InvalidDataException($"{path}: '{line}' is not a protocol log line.");
            }
        }

        return [.. exchanges.Select(e => new Pop3Exchange(e.Command, e.Response.ToString()))];
    }

    private static string PathOf(string path) => Path.Combine(AppContext.BaseDirectory, "Resources", path);

    /// <summary>A reply ends with its status line, unless it is a <c>+OK</c> to a command whose answer is a list (RFC 1939, RFC 2449).</summary>
    private static bool IsComplete(string? command, string response, string lastLine) =>
        !response.StartsWith("+OK", StringComparison.Ordinal) || command is not ("CAPA" or "UIDL" or "LIST") || lastLine == ".";
}
