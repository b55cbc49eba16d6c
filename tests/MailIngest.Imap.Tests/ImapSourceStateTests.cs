namespace MailIngest.Imap.Tests;

public sealed class ImapSourceStateTests
{
    [Fact]
    public void Format_ThenParse_GivesEachFolderBack()
    {
        var folders = new[] { new FolderState("INBOX", 1, 10, 9), new FolderState("[Gmail]/All Mail", 2, 30, 20, Unlisted: 4) };

        var parsed = ImapSourceState.Parse(ImapSourceState.Format(folders));

        Assert.Equal(folders, parsed.Values.OrderBy(f => f.UidValidity));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"folder\":1}")]
    public void Parse_NothingOrUnreadable_IsNoState(string? state)
    {
        Assert.Empty(ImapSourceState.Parse(state));
    }

    [Fact]
    public void Format_NoFolder_IsNull()
    {
        Assert.Null(ImapSourceState.Format([]));
    }
}
