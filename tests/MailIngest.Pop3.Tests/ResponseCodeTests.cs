using MailIngest.Configuration;
using MailIngest.Sources;

namespace MailIngest.Pop3.Tests;

/// <summary>RFC 2449/3206 response codes and LOGIN-DELAY, replayed: which failures a new session may cure, and one login attempt only.</summary>
public sealed class ResponseCodeTests
{
    private static readonly MailboxOptions Options = Transcript.Options();

    private static async Task<MailServerException> OpenFailsAsync(ReplayServer replay) =>
        await Assert.ThrowsAsync<MailServerException>(() => replay.Server.OpenAsync("support", Options, CancellationToken.None));

    [Fact]
    public async Task Open_InUse_IsTransientAndTriesOneLoginOnly()
    {
        var replay = new ReplayServer(Recorded.Session("dovecot/in-use.log"));

        var error = await OpenFailsAsync(replay);

        Assert.Equal(MailServerFailure.Transient, error.Failure);
        Assert.Contains("in use", error.Message, StringComparison.Ordinal);
        // A client that falls back to USER/PASS (as MailKit's AuthenticateAsync does) would log in a second time.
        Assert.Equal(["CAPA", Transcript.AuthPlain], replay.Commands);
    }

    [Fact]
    public async Task Open_SysTemp_IsTransient()
    {
        var replay = new ReplayServer(Transcript.RefusedLogin("-ERR [SYS/TEMP] Temporary authentication failure."));

        var error = await OpenFailsAsync(replay);

        Assert.Equal(MailServerFailure.Transient, error.Failure);
        Assert.Contains("[SYS/TEMP]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-ERR [AUTH] Authentication failed.")]
    [InlineData("-ERR Authentication failed.")]
    [InlineData("-ERR [SYS/PERM] Your account has been disabled.")]
    public async Task Open_RejectedLogin_IsPermanentOneAttemptAndNeverShowsThePassword(string refusal)
    {
        var replay = new ReplayServer(Transcript.RefusedLogin(refusal));

        var error = await OpenFailsAsync(replay);

        Assert.Equal(MailServerFailure.Permanent, error.Failure);
        Assert.Contains(refusal[5..], error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Transcript.Password, error.ToString(), StringComparison.Ordinal);
        Assert.Single(replay.Commands, c => c.Contains(Transcript.PlainResponse, StringComparison.Ordinal));
        Assert.DoesNotContain(replay.Commands, c => c.StartsWith("USER", StringComparison.Ordinal) || c.StartsWith("PASS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_LoginDelayRefusal_SaysWhenToComeBack()
    {
        // Gmail announces LOGIN-DELAY 300; the refusal is typed, as no recording has one.
        var replay = new ReplayServer(Transcript.RefusedLogin("-ERR [LOGIN-DELAY] Minimum time between mail checks violation.", ServerLogin.Gmail));

        var error = await OpenFailsAsync(replay);

        Assert.Equal(MailServerFailure.LoginDelay, error.Failure);
        Assert.Equal(TimeSpan.FromSeconds(300), error.RetryAfter);
        Assert.Contains("LOGIN-DELAY 300 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_LoginDelayCapability_IsReportedBySession()
    {
        var replay = new ReplayServer(Transcript.Login(server: ServerLogin.Gmail));

        await using var session = await replay.Server.OpenAsync("support", Options, CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(300), session.LoginDelay);
    }

    [Fact]
    public async Task GetUidls_SysTempDuringListing_IsTransient()
    {
        var replay = new ReplayServer([.. Transcript.Login(2), new("UIDL", "-ERR [SYS/TEMP] Internal error occurred.\r\n")]);

        await using var session = await replay.Server.OpenAsync("support", Options, CancellationToken.None);
        var error = await Assert.ThrowsAsync<MailServerException>(() => session.ListAsync(ListingRequest.Fresh, CancellationToken.None));

        Assert.Equal(MailServerFailure.Transient, error.Failure);
    }

    [Fact]
    public async Task GetUidls_ConnectionDroppedInListing_IsTransient()
    {
        var replay = new ReplayServer([.. Transcript.Login(2), Pop3Exchange.DroppedAfter("UIDL", "+OK\r\n1 000000")]);

        await using var session = await replay.Server.OpenAsync("support", Options, CancellationToken.None);
        var error = await Assert.ThrowsAsync<MailServerException>(() => session.ListAsync(ListingRequest.Fresh, CancellationToken.None));

        Assert.Equal(MailServerFailure.Transient, error.Failure);
    }

    [Fact]
    public async Task Commit_ConnectionLostAtQuitAfterDele_ThrowsTransient()
    {
        // Without the +OK the server may not have applied the deletions.
        var replay = new ReplayServer([.. Transcript.Login(1), Transcript.Dele(1), Pop3Exchange.DroppedAfter("QUIT", "")]);

        await using var session = await replay.Server.OpenAsync("support", Options, CancellationToken.None);
        await session.DeleteAsync([0], CancellationToken.None);
        var error = await Assert.ThrowsAsync<MailServerException>(() => session.CommitAsync(CancellationToken.None));

        Assert.Equal(MailServerFailure.Transient, error.Failure);
        Assert.Contains("QUIT", error.Message, StringComparison.Ordinal);
        Assert.Contains("deletions may not have been applied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commit_QuitRefusedAfterDele_ThrowsTransient()
    {
        var replay = new ReplayServer([.. Transcript.Login(1), Transcript.Dele(1), new("QUIT", "-ERR [SYS/TEMP] some deleted messages not removed\r\n")]);

        await using var session = await replay.Server.OpenAsync("support", Options, CancellationToken.None);
        await session.DeleteAsync([0], CancellationToken.None);
        var error = await Assert.ThrowsAsync<MailServerException>(() => session.CommitAsync(CancellationToken.None));

        Assert.Equal(MailServerFailure.Transient, error.Failure);
        Assert.Contains("some deleted messages not removed", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-ERR bye\r\n")]
    public async Task Commit_QuitUnacknowledgedWithoutDele_Succeeds(string quitReply)
    {
        // Issue #12 item 11: a session that deleted nothing has nothing QUIT could fail to apply.
        var replay = new ReplayServer([.. Transcript.Login(1), Transcript.Uidl("u1"), quitReply.Length == 0 ? Pop3Exchange.DroppedAfter("QUIT", "") : new("QUIT", quitReply)]);

        await using var session = await replay.Server.OpenAsync("support", Options, CancellationToken.None);
        await session.ListAsync(ListingRequest.Fresh, CancellationToken.None);
        await session.CommitAsync(CancellationToken.None);

        Assert.True(replay.Connections[0].Completed);
    }
}
