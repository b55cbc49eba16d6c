namespace MailIngest.Events.Tests;

public sealed class EventsOptionsValidatorTests : IDisposable
{
    private readonly string _secret = Path.GetTempFileName();

    public EventsOptionsValidatorTests() => File.WriteAllText(_secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");

    public void Dispose() => File.Delete(_secret);

    private static List<string> Failures(EventsOptions options) =>
        new EventsOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void Validate_Defaults_AreValid() => Assert.Empty(Failures(new EventsOptions()));

    [Theory]
    [InlineData("https://hooks.example.com/mail")]
    [InlineData("http://127.0.0.1:8080/events")]
    [InlineData("http://localhost/events")]
    [InlineData("http://[::1]:9000/")]
    public void Validate_WebhookOverHttpsOrToLoopback_IsValid(string url) =>
        Assert.Empty(Failures(new EventsOptions { Sink = EventSink.Webhook, Url = url, SecretFile = _secret }));

    [Fact]
    public void Validate_WebhookOverPlainHttpToAnotherHost_IsRefusedNamingTheKey()
    {
        var failure = Assert.Single(Failures(new EventsOptions { Sink = EventSink.Webhook, Url = "http://hooks.example.com/", SecretFile = _secret }));

        Assert.StartsWith("MailIngest:Events:Url must be https", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WebhookSecretTooShort_IsRefusedNamingTheFileNotTheSecret()
    {
        File.WriteAllText(_secret, "whsec_c2hvcnQ=");

        var failure = Assert.Single(Failures(new EventsOptions { Sink = EventSink.Webhook, Url = "https://h.example.com/", SecretFile = _secret }));

        Assert.Contains(_secret, failure, StringComparison.Ordinal);
        Assert.DoesNotContain("c2hvcnQ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_QueueWithoutConnection_AsksForOne()
    {
        var failure = Assert.Single(Failures(new EventsOptions { Sink = EventSink.AzureQueue }));

        Assert.Contains("ConnectionString or MailIngest:Events:ServiceUri is required", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_QueueWithBadNameAndBudgetBelowTimeout_ReportsBoth()
    {
        var failures = Failures(new EventsOptions
        {
            Sink = EventSink.AzureQueue,
            ConnectionString = "UseDevelopmentStorage=true",
            QueueName = "Mail_Events",
            DeliveryBudget = TimeSpan.FromSeconds(1),
        });

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("MailIngest:Events:QueueName", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("MailIngest:Events:DeliveryBudget", StringComparison.Ordinal));
    }
}
