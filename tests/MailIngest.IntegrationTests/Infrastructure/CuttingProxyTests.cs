using MailKit.Net.Pop3;

namespace MailIngest.IntegrationTests.Infrastructure;

public sealed class CuttingProxyTests : IClassFixture<DovecotFixture>
{
    private const string Password = "secret";
    private readonly DovecotServer _server;

    public CuttingProxyTests(DovecotFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        _server = fixture.Server;
    }

    [Fact]
    public async Task NoFault_ForwardsAWholeSessionAndCountsIt()
    {
        var user = await NewMailboxAsync(messages: 2);
        await using var proxy = CuttingProxy.Start(_server.Host, _server.Port);

        using (var client = await DovecotServerTests.ConnectAsync(proxy.Host, proxy.Port, user, Password))
        {
            Assert.Equal(2, (await client.GetMessageUidsAsync()).Count);
            await client.GetMessageAsync(1);
            await client.DisconnectAsync(quit: true);
        }

        var session = Assert.Single(await _server.WaitForSessionsAsync(1, user));
        Assert.True(session.LoggedOut);
        Assert.Equal(1, proxy.ConnectionCount);
        Assert.Equal(0, proxy.CutCount);
        Assert.True(proxy.BytesServerToClient > session.RetrBytes);
        Assert.True(proxy.BytesClientToServer > 0);
    }

    [Fact]
    public async Task CutAtClientRetr_DropsTheSessionBeforeTheServerSeesTheCommand()
    {
        var user = await NewMailboxAsync(messages: 3);
        await using var proxy = CuttingProxy.Start(_server.Host, _server.Port);
        proxy.Fault = ProxyFault.AtClientText("RETR 2\r\n") with { OnlyConnection = 1 };

        using (var client = await DovecotServerTests.ConnectAsync(proxy.Host, proxy.Port, user, Password))
        {
            await client.GetMessageAsync(0);
            await Assert.ThrowsAsync<Pop3ProtocolException>(() => client.GetMessageAsync(1));
            Assert.False(client.IsConnected);
        }

        var session = Assert.Single(await _server.WaitForSessionsAsync(1, user));
        Assert.Equal(1, session.RetrMessages);
        Assert.False(session.LoggedOut);
        Assert.Equal(1, proxy.CutCount);

        // The fault was for the first connection only: a second session goes through untouched.
        using var retry = await DovecotServerTests.ConnectAsync(proxy.Host, proxy.Port, user, Password);
        Assert.Equal(3, (await retry.GetMessageUidsAsync()).Count);
        await retry.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task CutAtClientQuit_LeavesDeletedMessagesOnTheServer()
    {
        var user = await NewMailboxAsync(messages: 2);
        await using var proxy = CuttingProxy.Start(_server.Host, _server.Port);
        proxy.Fault = ProxyFault.AtClientText("QUIT");

        using (var client = await DovecotServerTests.ConnectAsync(proxy.Host, proxy.Port, user, Password))
        {
            await client.DeleteMessageAsync(0);

            // MailKit swallows a failed QUIT, as a client should; the server side tells what happened.
            await client.DisconnectAsync(quit: true);
        }

        var session = Assert.Single(await _server.WaitForSessionsAsync(1, user));
        Assert.False(session.LoggedOut);
        Assert.Equal(0, session.DeletedMessages);
        Assert.Equal(2, _server.MessageCount(user));
    }

    [Fact]
    public async Task CutAfterServerBytes_CutsInsideAMessageAtExactlyThatCount()
    {
        var user = await NewMailboxAsync(messages: 0);
        await _server.DeliverAsync(user, TestMail.Large("large", 200_000));
        await using var proxy = CuttingProxy.Start(_server.Host, _server.Port);
        proxy.Fault = ProxyFault.AfterServerBytes(50_000);

        using (var client = await DovecotServerTests.ConnectAsync(proxy.Host, proxy.Port, user, Password))
        {
            await Assert.ThrowsAsync<Pop3ProtocolException>(() => client.GetMessageAsync(0));
        }

        Assert.Equal(50_000, proxy.BytesServerToClient);
        Assert.Equal(1, proxy.CutCount);
        var session = Assert.Single(await _server.WaitForSessionsAsync(1, user));
        Assert.False(session.LoggedOut);
    }

    [Fact]
    public async Task Stall_AtClientRetr_KeepsTheClientWaitingUntilItGivesUp()
    {
        var user = await NewMailboxAsync(messages: 1);
        await using var proxy = CuttingProxy.Start(_server.Host, _server.Port);
        proxy.Fault = ProxyFault.AtClientText("RETR 1").Stalling();

        using (var client = await DovecotServerTests.ConnectAsync(proxy.Host, proxy.Port, user, Password))
        {
            using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));
            var retr = client.GetMessageAsync(0, giveUp.Token);
            await proxy.FirstFault.WaitAsync(TimeSpan.FromSeconds(10));

            // Cancellation, not a disconnect, ends the wait: the stalled connection stayed open.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => retr);
            Assert.Equal(1, proxy.StallCount);
            Assert.Equal(0, proxy.CutCount);
        }

        // Once the client is gone the proxy lets the server side go too, and RETR never reached Dovecot.
        var session = Assert.Single(await _server.WaitForSessionsAsync(1, user));
        Assert.Equal(0, session.RetrMessages);
        Assert.False(session.LoggedOut);
    }

    private async Task<string> NewMailboxAsync(int messages)
    {
        // One user per test keeps mailboxes and log lines apart on the shared server.
        var user = "u" + Guid.NewGuid().ToString("N")[..12];
        _server.AddUser(user, Password);
        for (var i = 1; i <= messages; i++)
        {
            await _server.DeliverAsync(user, TestMail.Simple($"message {i}"));
        }

        return user;
    }
}
