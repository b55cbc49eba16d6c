using System.Runtime.CompilerServices;
using MailKit.Security;

namespace MailIngest.Pop3.Protocol;

/// <summary>
/// Tells a MailKit SASL mechanism which service it authenticates to. OAUTHBEARER (RFC 7628) sends the server's host and
/// port, and MailKit's mechanism reads them from <c>SaslMechanism.Uri</c>, which is internal: only MailKit's own clients
/// set it. Rather than write OAUTHBEARER by hand, this sets it as MailKit's <c>Pop3Client</c> does (with the port, which
/// MailKit leaves out); a MailKit that renames it fails here with <see cref="MissingMethodException"/>, which the
/// OAUTHBEARER replay test catches on upgrade.
/// </summary>
internal static class SaslServiceUri
{
    public static void Set(SaslMechanism mechanism, string host, int port) => SetUri(mechanism, new UriBuilder("pop", host, port).Uri);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_Uri")]
    private static extern void SetUri(SaslMechanism mechanism, Uri? value);
}
