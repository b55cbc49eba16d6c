namespace MailIngest.Server;

/// <summary>The mail server refused or failed an operation; the message says which server and what to check.</summary>
public sealed class MailServerException : Exception
{
    public MailServerException(string message) : base(message)
    {
    }

    public MailServerException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
