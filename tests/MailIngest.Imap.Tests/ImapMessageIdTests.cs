namespace MailIngest.Imap.Tests;

public sealed class ImapMessageIdTests
{
    [Theory]
    [InlineData("1700000000:42@INBOX", 1700000000u, 42u, "INBOX", null)]
    [InlineData("7:1@Archive/2026", 7u, 1u, "Archive/2026", null)]
    [InlineData("7:1@a@b:c", 7u, 1u, "a@b:c", null)]
    [InlineData("600:99:1278455344230334865@[Gmail]/All Mail", 600u, 99u, "[Gmail]/All Mail", 1278455344230334865ul)]
    public void TryParse_WhatToStringWrote_GivesItBack(string id, uint uidValidity, uint uid, string folder, ulong? gmail)
    {
        Assert.True(ImapMessageId.TryParse(id, out var parsed));

        Assert.Equal(new ImapMessageId(uidValidity, uid, folder, gmail), parsed);
        Assert.Equal(id, parsed.ToString());
    }

    [Theory]
    [InlineData("000012a35d3f2b1e")]
    [InlineData("1:2")]
    [InlineData("1:2@")]
    [InlineData("x:2@INBOX")]
    [InlineData("1:2:3:4@INBOX")]
    [InlineData("-1:2@INBOX")]
    [InlineData("1::2@INBOX")]
    [InlineData(":2@INBOX")]
    [InlineData("1:@INBOX")]
    [InlineData("1:2:@INBOX")]
    public void TryParse_NotAnImapId_IsFalse(string id)
    {
        Assert.False(ImapMessageId.TryParse(id, out _));
    }

    [Fact]
    public void ToString_OfAParsedId_IsTheStringItWasParsedFromWhichEqualityIgnores()
    {
        var ledgers = string.Concat("1700000000:42@", "INBOX");
        Assert.True(ImapMessageId.TryParse(ledgers, out var parsed));
        var built = new ImapMessageId(1700000000, 42, "INBOX");

        Assert.Same(ledgers, parsed.ToString());
        Assert.Equal(ledgers, built.ToString());
        Assert.Equal(built, parsed);
        Assert.Equal(built.GetHashCode(), parsed.GetHashCode());
        Assert.Equal("1700000000:43@INBOX", (parsed with { Uid = 43 }).ToString());
        Assert.Equal("1700000000:42:7@INBOX", (parsed with { GmailMessageId = 7 }).ToString());
    }

    [Fact]
    public void StorageName_OnlyOnGmail_IsTheMessageIdOfEveryLabel()
    {
        Assert.Null(new ImapMessageId(1, 2, "INBOX").StorageName);
        Assert.Equal(new ImapMessageId(1, 2, "INBOX", 5).StorageName, new ImapMessageId(9, 3, "[Gmail]/All Mail", 5).StorageName);
    }
}
