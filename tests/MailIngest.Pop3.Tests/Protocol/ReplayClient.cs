using System.Net;
using MailIngest.Pop3.Protocol;
using MailKit.Security;

namespace MailIngest.Pop3.Tests.Protocol;

/// <summary>Our <see cref="Pop3Client"/> logged in (SASL PLAIN, as <see cref="Transcript.Login"/> expects) over a replayed transcript.</summary>
internal static class ReplayClient
{
    public static async Task<Pop3Client> LoginAsync(Pop3ReplayStream replay, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var client = await Pop3Client.ConnectAsync(replay, "pop.example.com", 110, timeout ?? TimeSpan.FromSeconds(30), tlsOnConnect: null, log: null, cancellationToken);
        await client.AuthenticateAsync(SaslMechanism.Create("PLAIN", new NetworkCredential(Transcript.User, Transcript.Password))!, cancellationToken);
        return client;
    }

    /// <summary>Retrieves the messages and returns each one's bytes, in the order the consumer was handed them.</summary>
    /// <summary>For retrievals where no refusal is expected: one fails the test.</summary>
    public static Task NoRefusal(int number, string reason, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"message {number} was refused unexpectedly: {reason}");

    /// <remarks>A message the server refuses alone is listed with the server's text in place of its bytes, prefixed "refused: ".</remarks>
    public static async Task<List<(int Number, string Message)>> RetrieveAsync(Pop3Client client, IReadOnlyList<int> numbers, CancellationToken cancellationToken = default)
    {
        var retrieved = new List<(int, string)>();
        await client.RetrieveAsync(
            numbers,
            async (number, message, ct) =>
            {
                using var reader = new StreamReader(message, System.Text.Encoding.Latin1);
                retrieved.Add((number, await reader.ReadToEndAsync(ct)));
            },
            (number, reason, _) =>
            {
                retrieved.Add((number, "refused: " + reason));
                return Task.CompletedTask;
            },
            cancellationToken);
        return retrieved;
    }
}
