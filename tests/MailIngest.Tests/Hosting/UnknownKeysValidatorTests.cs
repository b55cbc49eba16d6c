using MailIngest.Configuration;
using MailIngest.Host.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MailIngest.Tests.Hosting;

/// <summary>
/// The shapes no section has yet, which the CLI tests therefore cannot reach: lists of values, lists of sections, and
/// dictionaries of values. Their indexes and names are the operator's; what is inside an element is checked.
/// </summary>
public sealed class UnknownKeysValidatorTests
{
    [Fact]
    public void Validate_ListsAndDictionaries_AcceptAnyIndexOrName()
    {
        var result = Validate(new()
        {
            ["MailIngest:Probe:Folders:0"] = "INBOX",
            ["MailIngest:Probe:Folders:1"] = "Archive",
            ["MailIngest:Probe:Sinks:0:Url"] = "http://sink",
            ["MailIngest:Probe:Limits:anything"] = "3",
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_MisspeltKeyInAListElement_NamesItAndTheKeyMeant()
    {
        var result = Validate(new() { ["MailIngest:Probe:Sinks:0:Uri"] = "http://sink" });

        Assert.False(result.Succeeded);
        Assert.Equal(
            "Unknown key 'Uri' at MailIngest:Probe:Sinks:0:Uri (from MemoryConfigurationProvider): did you mean 'Url'? See docs/configuration.md.",
            Assert.Single(result.Failures!));
    }

    private static ValidateOptionsResult Validate(Dictionary<string, string?> settings)
    {
        using var services = new ServiceCollection().AddMailIngestSection<ProbeOptions>("MailIngest:Probe").BuildServiceProvider();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new UnknownKeysValidator(configuration).Validate(null, services.GetRequiredService<IOptions<MailIngestSections>>().Value);
    }

    private sealed class ProbeOptions
    {
        public List<string> Folders { get; set; } = [];

        public List<Sink> Sinks { get; set; } = [];

        public Dictionary<string, int> Limits { get; set; } = [];
    }

    private sealed class Sink
    {
        public string Url { get; set; } = "";
    }
}
