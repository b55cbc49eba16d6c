using System.Net;
using System.Net.Sockets;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>Finds a loopback port nobody listens on right now.</summary>
internal static class FreePort
{
    /// <remarks>Another process may take the port before the caller binds it; callers retry on "Address already in use".</remarks>
    public static int Find()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
