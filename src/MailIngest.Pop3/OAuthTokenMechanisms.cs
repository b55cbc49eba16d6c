using MailKit.Security;

namespace MailIngest.Pop3;

/// <summary>
/// MailKit's XOAUTH2 and OAUTHBEARER mechanisms, finishing the exchange when the server rejects the token. Such a server
/// answers the token with a continuation carrying a JSON error and waits for the client's reply before it sends
/// <c>-ERR</c> (RFC 7628 section 3.2.3; XOAUTH2 likewise); MailKit's POP3 client stops answering continuations once the
/// mechanism says it is authenticated, which MailKit's mechanisms do as soon as the token is sent. It then gives up
/// with a protocol error, which reads as a dropped connection and would be retried instead of reported as a rejected
/// login. These report being authenticated only after answering that error, so the server's -ERR arrives.
/// </summary>
internal static class OAuthTokenMechanisms
{
    public static SaslMechanism XOAuth2(string username, string token) => new XOAuth2Mechanism(username, token);

    public static SaslMechanism OAuthBearer(string username, string token) => new OAuthBearerMechanism(username, token);

    private sealed class XOAuth2Mechanism(string username, string token) : SaslMechanismOAuth2(username, token)
    {
        private bool _tokenSent;

        public override void Reset()
        {
            _tokenSent = false;
            base.Reset();
        }

        protected override byte[]? Challenge(byte[]? token, int startIndex, int length, CancellationToken cancellationToken)
        {
            if (_tokenSent)
            {
                // The server's error report: an empty reply acknowledges it.
                IsAuthenticated = true;
                return [];
            }

            var response = base.Challenge(token, startIndex, length, cancellationToken);
            _tokenSent = true;
            IsAuthenticated = false;
            return response;
        }
    }

    private sealed class OAuthBearerMechanism(string username, string token) : SaslMechanismOAuthBearer(username, token)
    {
        private bool _tokenSent;

        public override void Reset()
        {
            _tokenSent = false;
            base.Reset();
        }

        protected override byte[]? Challenge(byte[]? token, int startIndex, int length, CancellationToken cancellationToken)
        {
            if (_tokenSent)
            {
                // The server's error report: RFC 7628 has the client acknowledge it with a single %x01.
                IsAuthenticated = true;
                return [0x01];
            }

            var response = base.Challenge(token, startIndex, length, cancellationToken);
            _tokenSent = true;
            IsAuthenticated = false;
            return response;
        }
    }
}
