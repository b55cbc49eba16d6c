using System.Net;
using System.Net.Sockets;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>Finds loopback ports nobody listens on right now.</summary>
internal static class FreePort
{
    /// <remarks>Another process may take the port before the caller binds it; callers retry on "Address already in use".</remarks>
    public static int Find() => Find(1)[0];

    /// <summary>
    /// Finds <paramref name="count"/> different free ports for one server: each is held until all are found, since a
    /// port given back at once may be the very one the next search is handed (Dovecot then refuses a duplicate listener).
    /// </summary>
    public static int[] Find(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
