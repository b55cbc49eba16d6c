using MailKit.Net.Pop3;
using MailKit.Security;

namespace MailIngest.IntegrationTests.Infrastructure;

public sealed class DovecotServerTests
{
    private const string User = "alice";
    private const string Password = "secret";

    [Fact]
    public async Task StartAsync_TwoDeliveredMessages_Pop3ClientSeesThemInOrderAndRetrIsLogged()
    {
        await using var server = await DovecotServer.StartAsync();
        server.AddUser(User, Password);
        await server.DeliverAsync(User, TestMail.Simple("first"));
        await server.DeliverAsync(User, TestMail.Simple("second", lineEnding: "\n"));

        using var client = await ConnectAsync(server.Host, server.Port);
        var uids = await client.GetMessageUidsAsync();
        var first = await client.GetMessageAsync(0);
        await client.DisconnectAsync(quit: true);

        Assert.Equal(2, uids.Count);
        Assert.Equal(2, uids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("first", first.Subject);
        var session = Assert.Single(await server.WaitForSessionsAsync(1, User));
        Assert.Equal((1, 0, 2, true), (session.RetrMessages, session.DeletedMessages, session.MessagesAtLogin, session.LoggedOut));
        Assert.True(session.RetrBytes >= first.ToString().Length);
        Assert.Equal(2, server.MessageCount(User));
    }

    [Fact]
    public async Task DeleteThenQuit_RemovesTheMessageAndLogsTheDeletion()
    {
        await using var server = await DovecotServer.StartAsync();
        server.AddUser(User, Password);
        await server.DeliverAsync(User, TestMail.Simple("keep"));
        await server.DeliverAsync(User, TestMail.Simple("drop"));

        using (var client = await ConnectAsync(server.Host, server.Port))
        {
            await client.DeleteMessageAsync(1);
            await client.DisconnectAsync(quit: true);
        }

        var session = Assert.Single(await server.WaitForSessionsAsync(1, User));
        Assert.Equal(1, session.DeletedMessages);
        Assert.Equal(0, session.RetrMessages);
        Assert.Equal(1, server.MessageCount(User));
    }

    [Fact]
    public async Task DeliverFileAsync_DemoMail_ServesEveryMessageInDeliveryOrder()
    {
        await using var server = await DovecotServer.StartAsync();
        server.AddUser(User, Password);
        var files = DemoMail.Files();
        foreach (var file in files)
        {
            await server.DeliverFileAsync(User, file);
        }

        using var client = await ConnectAsync(server.Host, server.Port);
        var uids = await client.GetMessageUidsAsync();
        var last = await client.GetMessageAsync(uids.Count - 1);
        await client.DisconnectAsync(quit: true);

        Assert.Equal(12, files.Count);
        Assert.Equal(files.Count, uids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(MimeKit.MimeMessage.Load(files[^1]).MessageId, last.MessageId);
        Assert.Equal(files.Count, server.MessageCount(User));
    }

    [Fact]
    public async Task RestartAsync_OtherUidlFormat_ChangesUidlsOnTheSameMaildirAndPort()
    {
        await using var server = await DovecotServer.StartAsync();
        server.AddUser(User, Password);
        await server.DeliverAsync(User, TestMail.Simple("one"));
        await server.DeliverAsync(User, TestMail.Simple("two"));
        var port = server.Port;

        var original = await ReadUidsAsync(server);
        await server.RestartAsync("%v.%u");
        var changed = await ReadUidsAsync(server);
        await server.RestartAsync(DovecotOptions.DefaultUidlFormat);
        var restored = await ReadUidsAsync(server);

        Assert.Equal(port, server.Port);
        Assert.Equal("%08Xu%08Xv", original.Format);
        Assert.Equal(2, changed.Uids.Count);
        Assert.Empty(changed.Uids.Intersect(original.Uids));
        Assert.Equal(original.Uids, restored.Uids);
    }

    [Fact]
    public async Task DisposeAsync_StopsTheServerAndDeletesItsFolder()
    {
        var server = await DovecotServer.StartAsync();
        var root = server.RootPath;
        Assert.Contains("+OK", await ReadGreetingAsync(server.Host, server.Port), StringComparison.Ordinal);

        await server.DisposeAsync();

        Assert.False(Directory.Exists(root));
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => ReadGreetingAsync(server.Host, server.Port));
    }

    [Fact]
    public async Task StartAsync_TwoServers_RunSideBySide()
    {
        await using var one = await DovecotServer.StartAsync();
        await using var two = await DovecotServer.StartAsync();

        Assert.NotEqual(one.Port, two.Port);
        Assert.StartsWith("+OK", await ReadGreetingAsync(two.Host, two.Port), StringComparison.Ordinal);
        Assert.StartsWith("+OK", await ReadGreetingAsync(one.Host, one.Port), StringComparison.Ordinal);
    }

    internal static async Task<Pop3Client> ConnectAsync(string host, int port, string user = User, string password = Password)
    {
        var client = new Pop3Client();
        try
        {
            await client.ConnectAsync(host, port, SecureSocketOptions.None);
            await client.AuthenticateAsync(user, password);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task<(string Format, IList<string> Uids)> ReadUidsAsync(DovecotServer server)
    {
        using var client = await ConnectAsync(server.Host, server.Port);
        var uids = await client.GetMessageUidsAsync();
        await client.DisconnectAsync(quit: true);
        return (server.UidlFormat, uids);
    }

    private static async Task<string> ReadGreetingAsync(string host, int port)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(host, port);
        using var reader = new StreamReader(tcp.GetStream());
        return await reader.ReadLineAsync() ?? string.Empty;
    }
}
