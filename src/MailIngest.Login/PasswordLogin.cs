using MailIngest.Configuration;
using MailIngest.Sources;

namespace MailIngest.Login;

/// <summary>
/// The password side of a login, the same for POP3 and IMAP: the password is read before connecting, and the strongest
/// SASL mechanism both sides support is chosen and tried alone. A client that falls back from a rejected mechanism to the
/// next one and then to a plaintext login (as MailKit's <c>AuthenticateAsync(user, password)</c> does) turns one wrong
/// password into several failed logins, and locks accounts on servers that count them.
/// </summary>
internal static class PasswordLogin
{
    /// <summary>SASL mechanisms that work with a password, strongest first; OAuth mechanisms need tokens, not passwords.</summary>
    private static readonly string[] Mechanisms = ["SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"];

    /// <summary>The mechanism to log in with among those the server <paramref name="offered"/>, or null for the protocol's own plaintext login.</summary>
    public static string? ChooseMechanism(IReadOnlyCollection<string> offered) =>
        Mechanisms.FirstOrDefault(m => offered.Contains(m, StringComparer.OrdinalIgnoreCase) && MailKit.Security.SaslMechanism.IsSupported(m));

    /// <summary>
    /// Read before connecting, so that a PasswordFile gone since start (a Secret unmounted) fails without a connection;
    /// the message names the file, never its content.
    /// </summary>
    public static string ReadPassword(string mailbox, MailboxOptions options)
    {
        try
        {
            return options.ReadPassword();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MailServerException(
                $"The password of mailbox {mailbox} cannot be read from PasswordFile '{options.PasswordFile}' ({e.GetType().Name}): check that the secret is still mounted and readable.",
                MailServerFailure.Permanent,
                e);
        }
    }
}
