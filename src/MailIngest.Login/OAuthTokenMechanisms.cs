using MailIngest.Sources;
using MailKit.Security;

namespace MailIngest.Login;

/// <summary>
/// MailKit's XOAUTH2 and OAUTHBEARER mechanisms, finishing the exchange when the server rejects the token. Such a server
/// answers the token with a continuation carrying a JSON error and waits for the client's reply before it sends
/// <c>-ERR</c> or <c>NO</c> (RFC 7628 section 3.2.3; XOAUTH2 likewise). Our POP3 client, as MailKit's, stops answering
/// continuations once the mechanism says it is authenticated, which MailKit's mechanisms do as soon as the token is
/// sent, and would cancel the exchange with "*" instead of acknowledging the error as the RFC asks; MailKit's IMAP
/// client answers every continuation, but with an empty line where OAUTHBEARER wants %x01. These report being
/// authenticated only after answering that error as each mechanism asks, so the server's refusal of the token arrives.
/// </summary>
internal static class OAuthTokenMechanisms
{
    public static SaslMechanism XOAuth2(string username, string token) => new XOAuth2Mechanism(username, token);

    public static SaslMechanism OAuthBearer(string username, string token) => new OAuthBearerMechanism(username, token);

    /// <summary>
    /// XOAUTH2 is what Microsoft 365 and Gmail speak; OAUTHBEARER (RFC 7628) is used only when it is all the server
    /// offers. One attempt either way: a rejected token does not fall back to a password. <c>protocol</c> ("POP3",
    /// "IMAP") is for the advice when the server offers neither.
    /// </summary>
    public static SaslMechanism Choose(IReadOnlyCollection<string> offered, string username, string token, string endpoint, string protocol) =>
        offered.Contains("XOAUTH2") ? XOAuth2(username, token)
        : offered.Contains("OAUTHBEARER") ? OAuthBearer(username, token)
        : throw new MailServerException(
            $"{endpoint} offers neither XOAUTH2 nor OAUTHBEARER (SASL: {(offered.Count == 0 ? "none" : string.Join(' ', offered))}), so the mailbox cannot log in with its OAuth2 token: enable OAuth2 for {protocol} on the server, or log in with a password instead.",
            MailServerFailure.Permanent);

    private sealed class XOAuth2Mechanism(string username, string token) : SaslMechanismOAuth2(username, token)
    {
        private TokenExchange _exchange;

        public override void Reset()
        {
            _exchange = default;
            base.Reset();
        }

        // The server's error report is acknowledged with an empty reply.
        protected override byte[]? Challenge(byte[]? token, int startIndex, int length, CancellationToken cancellationToken)
        {
            var response = _exchange.Answer(() => base.Challenge(token, startIndex, length, cancellationToken), [], out var done);
            IsAuthenticated = done;
            return response;
        }
    }

    private sealed class OAuthBearerMechanism(string username, string token) : SaslMechanismOAuthBearer(username, token)
    {
        private TokenExchange _exchange;

        public override void Reset()
        {
            _exchange = default;
            base.Reset();
        }

        // RFC 7628 has the client acknowledge the server's error report with a single %x01.
        protected override byte[]? Challenge(byte[]? token, int startIndex, int length, CancellationToken cancellationToken)
        {
            var response = _exchange.Answer(() => base.Challenge(token, startIndex, length, cancellationToken), [0x01], out var done);
            IsAuthenticated = done;
            return response;
        }
    }

    /// <summary>The state both mechanisms share (their MailKit base classes differ): the token first, then the acknowledgement.</summary>
    private struct TokenExchange
    {
        private bool _tokenSent;

        /// <param name="sendToken">The base mechanism's first response, which carries the token.</param>
        /// <param name="acknowledgement">The reply to a continuation after the token: the server's error report.</param>
        /// <param name="authenticated">Whether the mechanism is done: only once that error report is answered.</param>
        public byte[]? Answer(Func<byte[]?> sendToken, byte[] acknowledgement, out bool authenticated)
        {
            authenticated = _tokenSent;
            if (_tokenSent)
            {
                return acknowledgement;
            }

            var response = sendToken();
            _tokenSent = true;
            return response;
        }
    }
}
