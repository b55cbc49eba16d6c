using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// An HTTPS server on a free loopback port, with a self-signed certificate for 127.0.0.1 made for it, that hands each
/// request to a test's handler until disposed; a child process trusts it through <c>SSL_CERT_FILE</c> =
/// <see cref="CertificateFile"/>. HttpListener serves no HTTPS on Linux, and Kestrel would take the ASP.NET Core shared
/// framework into the test's output, where the <c>mailingest</c> child cannot load it; so this speaks just enough
/// HTTP/1.1 itself: one request per connection, a body by Content-Length, and <c>Connection: close</c>.
/// </summary>
public sealed class LoopbackHttpsServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly Func<HttpsRequest, Task<HttpsResponse>> _respond;
    private readonly Task _loop;

    /// <summary>Starts the server; its certificate and key are written to <paramref name="folder"/>.</summary>
    public LoopbackHttpsServer(string folder, Func<HttpsRequest, Task<HttpsResponse>> respond)
    {
        CertificateFile = Path.Combine(folder, "https-server.pem");
        var keyFile = Path.Combine(folder, "https-server.key");
        DovecotCertificate.Write(CertificateFile, keyFile, "127.0.0.1");
        // Through PKCS#12, because a key loaded from PEM is ephemeral and TLS servers want one they can hand to the platform.
        using var pem = X509Certificate2.CreateFromPemFile(CertificateFile, keyFile);
        _certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
        _respond = respond;
        _listener.Start();
        BaseAddress = $"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _loop = AcceptAsync();
    }

    /// <summary>The server's address without a trailing slash, e.g. <c>https://127.0.0.1:41234</c>.</summary>
    public string BaseAddress { get; }

    /// <summary>The server's certificate as PEM, which is also its own CA.</summary>
    public string CertificateFile { get; }

    /// <summary>Stops listening; a handler's error surfaces here, after the port is released.</summary>
    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _loop;
        }
        finally
        {
            _certificate.Dispose();
        }
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            using (client)
            {
                try
                {
                    await AnswerAsync(client.GetStream());
                }
                catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
                {
                    // A client that gave up, or refused the certificate: the test sees it in the client's result.
                }
            }
        }
    }

    private async Task AnswerAsync(Stream connection)
    {
        await using var tls = new SslStream(connection);
        await tls.AuthenticateAsServerAsync(_certificate);
        var head = await ReadHeadAsync(tls);
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var length = lines.Skip(1)
            .Select(line => line.Split(':', 2))
            .Where(field => field.Length == 2 && field[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(field => int.Parse(field[1].Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
        var body = new byte[length];
        await tls.ReadExactlyAsync(body);

        var response = await _respond(new HttpsRequest(requestLine[0], requestLine[1], Encoding.UTF8.GetString(body)));
        var content = Encoding.UTF8.GetBytes(response.Json);
        var status = $"HTTP/1.1 {response.Status} {(HttpStatusCode)response.Status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n";
        await tls.WriteAsync(Encoding.ASCII.GetBytes(status));
        await tls.WriteAsync(content);
        await tls.FlushAsync();
    }

    /// <summary>The request line and headers, up to the blank line, read a byte at a time so that no body byte is consumed.</summary>
    private static async Task<string> ReadHeadAsync(Stream stream)
    {
        var head = new List<byte>();
        var next = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            await stream.ReadExactlyAsync(next);
            head.Add(next[0]);
        }

        return Encoding.ASCII.GetString([.. head]).TrimEnd();
    }
}

/// <summary>One request to a <see cref="LoopbackHttpsServer"/>: method, path with query, and the body as text.</summary>
public sealed record HttpsRequest(string Method, string Target, string Body);

/// <summary>The answer to an <see cref="HttpsRequest"/>: a status code and a JSON body.</summary>
public sealed record HttpsResponse(int Status, string Json);
