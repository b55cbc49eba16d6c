namespace MailIngest.Configuration;

/// <summary>
/// Reads a secret kept in a file, such as a Kubernetes Secret mounted as a volume. The secret is returned, never
/// written anywhere: callers must not put it in messages, and the messages here name only the file.
/// </summary>
public static class SecretFile
{
    /// <summary>
    /// The file's text without one trailing newline: <c>echo secret &gt; file</c> and editors add one that is not part
    /// of the secret, while any other whitespace may be.
    /// </summary>
    public static string Read(string path)
    {
        var text = File.ReadAllText(path);
        return text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2]
            : text.EndsWith('\n') ? text[..^1]
            : text;
    }

    /// <summary>Null when the file can be opened for reading, else why not (naming the file, not its content).</summary>
    public static string? Problem(string path)
    {
        if (!File.Exists(path))
        {
            return $"'{path}' does not exist";
        }

        try
        {
            using var stream = File.OpenRead(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"'{path}' cannot be read ({e.GetType().Name})";
        }
    }
}
