namespace MailIngest.Sources;

/// <summary>The mail server refused or failed an operation; the message says which server and what to check.</summary>
public sealed class MailServerException : Exception
{
    public MailServerException(string message) : base(message)
    {
    }

    public MailServerException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public MailServerException(string message, MailServerFailure failure, Exception? innerException = null, TimeSpan? retryAfter = null)
        : base(message, innerException)
    {
        Failure = failure;
        RetryAfter = retryAfter;
    }

    /// <summary>Whether trying again can help, and when (RFC 2449/3206 response codes, or the kind of network failure).</summary>
    public MailServerFailure Failure { get; } = MailServerFailure.Permanent;

    /// <summary>For <see cref="MailServerFailure.LoginDelay"/>: how long the server wants between logins, when it said so.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>How a mail server failure affects the rest of the run.</summary>
public enum MailServerFailure
{
    /// <summary>Not retried in this run: a rejected login, <c>[AUTH]</c>, <c>[SYS/PERM]</c>, a missing capability, a TLS failure.</summary>
    Permanent,

    /// <summary>Retried with backoff on a new connection: a dropped connection, a timeout, <c>[IN-USE]</c>, <c>[SYS/TEMP]</c>.</summary>
    Transient,

    /// <summary><c>[LOGIN-DELAY]</c>: the server refuses logins this soon; not retried in this run, so as not to hammer it.</summary>
    LoginDelay,
}
