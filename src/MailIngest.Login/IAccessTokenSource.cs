using MailIngest.Configuration;
using MailIngest.Sources;

namespace MailIngest.Login;

/// <summary>Where the OAuth2 access token of a mailbox's session comes from: a file a sidecar refreshes, or Microsoft Entra ID.</summary>
internal interface IAccessTokenSource
{
    /// <summary>Whether the mailbox's settings choose this source.</summary>
    bool Serves(MailboxOptions options);

    /// <summary>A token for a new session, got before connecting; a <see cref="MailServerException"/> says why there is none.</summary>
    Task<string> GetTokenAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken);

    /// <summary>What to check when the mail server rejects a token from this source: a sentence for the error message.</summary>
    string RejectionAdvice(MailboxOptions options);
}
