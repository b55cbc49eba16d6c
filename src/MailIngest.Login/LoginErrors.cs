namespace MailIngest.Login;

/// <summary>The words of a rejected login, the same for POP3 and IMAP.</summary>
internal static class LoginErrors
{
    /// <summary>
    /// The server's text, never the password (the clients' exceptions do not carry it, and neither do servers' replies); an
    /// OAuth2 login gets the advice of the token's source, a password login its own.
    /// </summary>
    public static string Rejected(string endpoint, string? username, string? serverText, string? tokenAdvice) => tokenAdvice is not null
        ? $"{endpoint} rejected the OAuth2 login of '{username}': {serverText} {tokenAdvice}; the login is not retried in this run."
        : $"{endpoint} rejected the login of '{username}': {serverText} Check the mailbox's Username and Password; the login is not retried in this run.";
}
