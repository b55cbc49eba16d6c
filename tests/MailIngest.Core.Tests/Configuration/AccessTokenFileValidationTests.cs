using MailIngest.Configuration;

namespace MailIngest.Core.Tests.Configuration;

/// <summary>AccessTokenFile is checked at start: exclusive with Password and PasswordFile, and readable.</summary>
public sealed class AccessTokenFileValidationTests : IDisposable
{
    private const string Key = "MailIngest:Mailboxes:support:";
    private readonly string _folder = Directory.CreateTempSubdirectory("mailingest-token-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static IEnumerable<string> Errors(MailboxOptions mailbox) =>
        new MailIngestOptionsValidator().Validate(null, new MailIngestOptions { Mailboxes = { ["support"] = mailbox } }).Failures ?? [];

    private static MailboxOptions Mailbox(string accessTokenFile, string password = "", string passwordFile = "") =>
        new() { Host = "pop.example.com", Username = "support@example.com", AccessTokenFile = accessTokenFile, Password = password, PasswordFile = passwordFile };

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Validate_ReadableAccessTokenFile_Succeeds()
    {
        Assert.Empty(Errors(Mailbox(WriteFile("token", "ya29.token\n"))));
    }

    [Fact]
    public void Validate_AccessTokenFileAndPassword_IsRefusedNamingBothKeys()
    {
        var error = Assert.Single(Errors(Mailbox(WriteFile("token", "ya29.token"), password: "inline-secret")));

        Assert.StartsWith(Key + "AccessTokenFile and " + Key + "Password are both set", error, StringComparison.Ordinal);
        Assert.DoesNotContain("inline-secret", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AccessTokenFileAndPasswordFile_IsRefusedNamingBothKeys()
    {
        var error = Assert.Single(Errors(Mailbox(WriteFile("token", "ya29.token"), passwordFile: WriteFile("password", "s3cret"))));

        Assert.StartsWith(Key + "AccessTokenFile and " + Key + "PasswordFile are both set", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingAccessTokenFile_NamesKeyAndFile()
    {
        var missing = Path.Combine(_folder, "absent");

        var error = Assert.Single(Errors(Mailbox(missing)));

        Assert.StartsWith($"{Key}AccessTokenFile: '{missing}' does not exist", error, StringComparison.Ordinal);
    }
}
