using MailIngest.Configuration;
using MailIngest.Sources;

namespace MailIngest.Login;

/// <summary>The token in a mailbox's <see cref="MailboxOptions.AccessTokenFile"/>, read at every session, never cached: the sidecar replaces it before it expires.</summary>
internal sealed class AccessTokenFileSource : IAccessTokenSource
{
    public bool Serves(MailboxOptions options) => !string.IsNullOrEmpty(options.AccessTokenFile);

    public Task<string> GetTokenAsync(string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult(SecretFile.Read(options.AccessTokenFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MailServerException(
                $"The access token of mailbox {mailbox} cannot be read from AccessTokenFile '{options.AccessTokenFile}' ({e.GetType().Name}): check that the sidecar that refreshes it is running and the file is mounted and readable.",
                MailServerFailure.Permanent,
                e);
        }
    }

    public string RejectionAdvice(MailboxOptions options) =>
        "Check the mailbox's Username and the token in its AccessTokenFile (expired, or not refreshed by the sidecar?)";
}
