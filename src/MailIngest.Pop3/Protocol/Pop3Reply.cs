namespace MailIngest.Pop3.Protocol;

internal enum Pop3ReplyStatus
{
    /// <summary><c>+OK</c>.</summary>
    Ok,

    /// <summary><c>-ERR</c>.</summary>
    Error,

    /// <summary><c>+</c>: a SASL continuation (RFC 5034), carrying the server's base64 challenge.</summary>
    Continuation,
}

/// <summary>A server's status line: its status indicator and the text after it (RFC 1939 section 3; as MailKit reads it).</summary>
internal readonly record struct Pop3Reply(Pop3ReplyStatus Status, string Text)
{
    public bool IsOk => Status == Pop3ReplyStatus.Ok;

    /// <summary>Parses a status line; anything but <c>+OK</c>, <c>-ERR</c> or <c>+</c> breaks the protocol.</summary>
    public static Pop3Reply Parse(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var indicator = space < 0 ? line : line[..space];
        var text = space < 0 ? "" : line[(space + 1)..].Trim();
        return indicator switch
        {
            "+OK" => new(Pop3ReplyStatus.Ok, text),
            "-ERR" => new(Pop3ReplyStatus.Error, text),
            "+" => new(Pop3ReplyStatus.Continuation, text),
            _ => throw new Pop3ProtocolException($"the server sent '{Shorten(line)}' where a reply (+OK or -ERR) belongs"),
        };
    }

    /// <summary>Throws <see cref="Pop3RefusedException"/> unless this is <c>+OK</c>.</summary>
    public Pop3Reply EnsureOk(string command, bool duringLogin = false) =>
        IsOk ? this : throw new Pop3RefusedException(command, Status == Pop3ReplyStatus.Continuation ? $"(a continuation) {Text}" : Text, duringLogin);

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "…";
}
