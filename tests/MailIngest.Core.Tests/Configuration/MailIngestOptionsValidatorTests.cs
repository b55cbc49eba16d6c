using MailIngest.Configuration;

namespace MailIngest.Core.Tests.Configuration;

public class MailIngestOptionsValidatorTests
{
    private static MailIngestOptions With(string name, MailboxOptions mailbox) => new() { Mailboxes = { [name] = mailbox } };

    private static MailboxOptions Valid() => new() { Host = "pop.example.com", Username = "support@example.com" };

    private static IEnumerable<string> Errors(MailIngestOptions options) =>
        new MailIngestOptionsValidator().Validate(null, options).Failures ?? [];

    [Fact]
    public void Validate_CompleteMailbox_Succeeds()
    {
        Assert.True(new MailIngestOptionsValidator().Validate(null, With("support", Valid())).Succeeded);
    }

    [Fact]
    public void Validate_NoMailboxes_SaysHowToAddOne()
    {
        Assert.Contains(Errors(new MailIngestOptions()), e => e.Contains("MailIngest:Mailboxes", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void Validate_NoConcurrentMailboxes_NamesTheKey(int concurrent)
    {
        var options = With("support", Valid());
        options.MaxConcurrentMailboxes = concurrent;

        Assert.Contains(Errors(options), e => e.StartsWith("MailIngest:MaxConcurrentMailboxes must be at least 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_MissingHost_NamesTheKey()
    {
        var mailbox = Valid();
        mailbox.Host = "";

        Assert.Contains(Errors(With("support", mailbox)), e => e.StartsWith("MailIngest:Mailboxes:support:Host is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_MissingUsername_NamesTheKey()
    {
        var mailbox = Valid();
        mailbox.Username = " ";

        Assert.Contains(Errors(With("support", mailbox)), e => e.StartsWith("MailIngest:Mailboxes:support:Username", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("with space")]
    public void Validate_MailboxNameUnsafeForPaths_IsRejected(string name)
    {
        Assert.Contains(Errors(With(name, Valid())), e => e.Contains("mailbox name", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NegativeBudgetsAndBadPort_EachNamed()
    {
        var mailbox = Valid();
        mailbox.Port = 70000;
        mailbox.MaxMessagesPerRun = -1;
        mailbox.MaxBytesPerRun = -5;
        mailbox.LedgerFlushEvery = 0;

        var errors = Errors(With("support", mailbox)).ToList();

        Assert.Contains(errors, e => e.Contains(":Port must be", StringComparison.Ordinal) && e.Contains("70000", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(":MaxMessagesPerRun must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(":MaxBytesPerRun must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(":LedgerFlushEvery must be at least 1, was 0", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("RetryAttempts", "MailIngest:Mailboxes:support:RetryAttempts must be between 0")]
    [InlineData("RetryDelay", "MailIngest:Mailboxes:support:RetryDelay must be between")]
    [InlineData("RetryWindow", "MailIngest:Mailboxes:support:RetryWindow must be more than")]
    [InlineData("CircuitBreakDuration", "MailIngest:Mailboxes:support:CircuitBreakDuration must be at least")]
    public void Validate_BadRetrySetting_NamesTheKey(string setting, string message)
    {
        var mailbox = Valid();
        switch (setting)
        {
            case "RetryAttempts": mailbox.RetryAttempts = -1; break;
            case "RetryDelay": mailbox.RetryDelay = TimeSpan.FromSeconds(-1); break;
            case "RetryWindow": mailbox.RetryWindow = TimeSpan.Zero; break;
            default: mailbox.CircuitBreakDuration = TimeSpan.FromMilliseconds(100); break;
        }

        Assert.Contains(Errors(With("support", mailbox)), e => e.StartsWith(message, StringComparison.Ordinal));
    }
}
