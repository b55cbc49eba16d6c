using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Web;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Security;

/// <summary>
/// A loopback stand-in for Microsoft Entra ID's token endpoint, <c>POST {authority}/{tenant}/oauth2/v2.0/token</c>, for the
/// client-credentials flow. It checks the client ID, the scope and the credential a test chose to accept; a good request
/// gets an opaque token that it activates at the <see cref="IntrospectionEndpoint"/> Dovecot asks, a bad one Entra's
/// 401 with an AADSTS error. Every request is kept, so a test can count them and see what was sent.
/// </summary>
internal sealed class EntraTokenEndpoint : IAsyncDisposable
{
    public const string TenantId = "8f4b1c2e-0d5a-4e7b-9c3f-2a1b0c9d8e7f";
    public const string ClientId = "3c9a7e51-6b2d-4f80-a1c4-5d6e7f8a9b0c";
    public const string Scope = "https://outlook.office365.com/.default";
    private const string JwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private readonly LoopbackHttpsServer _server;
    private readonly IntrospectionEndpoint _introspection;
    private readonly string _username;
    private Func<IReadOnlyDictionary<string, string>, string?> _refusal = _ => "AADSTS7000215: No credential is accepted yet.";

    private EntraTokenEndpoint(LoopbackHttpsServer server, IntrospectionEndpoint introspection, string username)
    {
        _server = server;
        _introspection = introspection;
        _username = username;
    }

    /// <summary>The authority host to configure, e.g. <c>https://127.0.0.1:41234</c>.</summary>
    public string AuthorityHost => _server.BaseAddress;

    /// <summary>A PEM with the endpoint's self-signed certificate, for the child's <c>SSL_CERT_FILE</c>.</summary>
    public string CertificateFile => _server.CertificateFile;

    /// <summary>Every request, in order.</summary>
    public ConcurrentQueue<TokenRequest> Requests { get; } = new();

    /// <summary>The tokens issued, in order.</summary>
    public ConcurrentQueue<string> IssuedTokens { get; } = new();

    /// <summary>Whether issued tokens are activated at the introspection endpoint; false plays an Exchange that refuses them.</summary>
    public bool ExchangeAcceptsTokens { get; set; } = true;

    /// <summary>Starts the endpoint; its TLS certificate and key are written to <paramref name="folder"/>.</summary>
    public static EntraTokenEndpoint Start(string folder, IntrospectionEndpoint introspection, string username)
    {
        EntraTokenEndpoint? endpoint = null;
        var server = new LoopbackHttpsServer(folder, request => Task.FromResult(endpoint!.Answer(request)));
        endpoint = new EntraTokenEndpoint(server, introspection, username);
        return endpoint;
    }

    /// <summary>Accepts requests that carry this client secret.</summary>
    public void AcceptSecret(string secret) => _refusal = form =>
        form.GetValueOrDefault("client_secret") == secret ? null : "AADSTS7000215: Invalid client secret provided.";

    /// <summary>Accepts requests whose client assertion is a JWT for the client that this certificate's key signed.</summary>
    public void AcceptCertificate(X509Certificate2 certificate) => _refusal = form =>
        form.GetValueOrDefault("client_assertion_type") == JwtBearer && IsSignedClientAssertion(form.GetValueOrDefault("client_assertion") ?? "", certificate)
            ? null
            : "AADSTS700027: Client assertion contains an invalid signature.";

    /// <summary>Accepts requests whose client assertion is this federated token, as workload identity sends it.</summary>
    public void AcceptFederatedToken(string token) => _refusal = form =>
        form.GetValueOrDefault("client_assertion_type") == JwtBearer && form.GetValueOrDefault("client_assertion") == token
            ? null
            : "AADSTS700213: No matching federated identity record found for presented assertion.";

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private HttpsResponse Answer(HttpsRequest request)
    {
        var fields = HttpUtility.ParseQueryString(request.Body);
        var form = fields.AllKeys.OfType<string>().ToDictionary(key => key, key => fields[key] ?? "", StringComparer.Ordinal);
        Requests.Enqueue(new TokenRequest(request.Method, request.Target, form));
        if (request.Method != "POST" || request.Target != $"/{TenantId}/oauth2/v2.0/token")
        {
            return new HttpsResponse(404, "{}");
        }

        var refusal = form.GetValueOrDefault("grant_type") != "client_credentials" ? "AADSTS70003: The app requested an unsupported grant type."
            : form.GetValueOrDefault("client_id") != ClientId ? "AADSTS700016: Application not found in the directory."
            : form.GetValueOrDefault("scope") != Scope ? "AADSTS1002012: The provided value for scope is not valid."
            : _refusal(form);
        if (refusal is not null)
        {
            return new HttpsResponse(401, JsonSerializer.Serialize(new { error = "invalid_client", error_description = $"{refusal} Trace ID: 00000000-0000-0000-0000-000000000000" }));
        }

        var token = "m365-token-" + Guid.NewGuid().ToString("N");
        IssuedTokens.Enqueue(token);
        if (ExchangeAcceptsTokens)
        {
            _introspection.Activate(token, _username);
        }

        return new HttpsResponse(200, JsonSerializer.Serialize(new { token_type = "Bearer", expires_in = 3599, ext_expires_in = 3599, access_token = token }));
    }

    /// <summary>A client assertion (RFC 7523) about this client, signed RS256 or PS256 with the certificate's key.</summary>
    private static bool IsSignedClientAssertion(string jwt, X509Certificate2 certificate)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return false;
        }

        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var padding = header.RootElement.GetProperty("alg").GetString() switch
        {
            "RS256" => RSASignaturePadding.Pkcs1,
            "PS256" => RSASignaturePadding.Pss,
            _ => null,
        };
        using var key = certificate.GetRSAPublicKey()!;
        return padding is not null
            && claims.RootElement.GetProperty("iss").GetString() == ClientId
            && claims.RootElement.GetProperty("sub").GetString() == ClientId
            && key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, padding);
    }
}

/// <summary>One request the token endpoint received, with its form fields.</summary>
internal sealed record TokenRequest(string Method, string Path, IReadOnlyDictionary<string, string> Form);
