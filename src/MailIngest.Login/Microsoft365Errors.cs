using Azure;
using Azure.Identity;
using MailIngest.Sources;
using Microsoft.Identity.Client;

namespace MailIngest.Login;

/// <summary>
/// Turns a failed token request into a sentence naming the mailbox, tenant and client ID (never the secret), and decides
/// whether another session may help: Entra's refusal (AADSTS…) is permanent, an unreachable or overloaded authority is not.
/// </summary>
internal static class Microsoft365Errors
{
    public static MailServerException Describe(AuthenticationFailedException e, string mailbox, string tenantId, string clientId) => e.InnerException switch
    {
        MsalServiceException { StatusCode: 429 or >= 500 } busy => new(
            $"Microsoft Entra ID could not issue a token for mailbox {mailbox} (tenant {tenantId}, client ID {clientId}) just now (HTTP {busy.StatusCode}): {EntraText(busy)}",
            MailServerFailure.Transient,
            e),
        MsalServiceException refused => new(
            $"Microsoft Entra ID refused a token for mailbox {mailbox} (tenant {tenantId}, client ID {clientId}): {EntraText(refused)} Check TenantId, ClientId and the app registration's credential (a wrong or expired client secret, a certificate not uploaded to it, a federated credential that does not name this service account); the login is not retried in this run.",
            MailServerFailure.Permanent,
            e),
        RequestFailedException or HttpRequestException or IOException or OperationCanceledException => new(
            $"cannot get a token from Microsoft Entra ID for mailbox {mailbox}: {e.InnerException.Message}",
            MailServerFailure.Transient,
            e),
        _ => new($"no token from Microsoft Entra ID for mailbox {mailbox} (tenant {tenantId}, client ID {clientId}): {e.Message}", MailServerFailure.Permanent, e),
    };

    /// <summary>Entra's own words, "AADSTS7000215: Invalid client secret provided. …", without MSAL's preamble.</summary>
    private static string EntraText(MsalServiceException e)
    {
        var start = e.Message.IndexOf("AADSTS", StringComparison.Ordinal);
        return start < 0 ? e.Message : e.Message[start..];
    }
}
