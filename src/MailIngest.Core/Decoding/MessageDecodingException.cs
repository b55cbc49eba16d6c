namespace MailIngest.Decoding;

/// <summary>The message cannot be decoded (unparseable, or over a safety limit); its raw bytes go to quarantine.</summary>
internal sealed class MessageDecodingException : Exception
{
    public MessageDecodingException(string message) : base(message)
    {
    }

    public MessageDecodingException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
