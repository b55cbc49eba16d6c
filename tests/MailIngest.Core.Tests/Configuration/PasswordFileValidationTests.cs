using MailIngest.Configuration;

namespace MailIngest.Core.Tests.Configuration;

/// <summary>PasswordFile is checked at start (exclusive with Password, readable), and read without its trailing newline.</summary>
public sealed class PasswordFileValidationTests : IDisposable
{
    private const string Key = "MailIngest:Mailboxes:support:";
    private readonly string _folder = Directory.CreateTempSubdirectory("mailingest-secret-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static IEnumerable<string> Errors(MailboxOptions mailbox) =>
        new MailIngestOptionsValidator().Validate(null, new MailIngestOptions { Mailboxes = { ["support"] = mailbox } }).Failures ?? [];

    private static MailboxOptions Mailbox(string password = "", string passwordFile = "") =>
        new() { Host = "pop.example.com", Username = "support@example.com", Password = password, PasswordFile = passwordFile };

    private string WriteSecret(string content)
    {
        var path = Path.Combine(_folder, "password");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Validate_ReadablePasswordFile_Succeeds()
    {
        Assert.Empty(Errors(Mailbox(passwordFile: WriteSecret("s3cret\n"))));
    }

    [Fact]
    public void Validate_PasswordAndPasswordFile_IsRefusedNamingBothKeys()
    {
        var error = Assert.Single(Errors(Mailbox("inline-secret", WriteSecret("s3cret"))));

        Assert.StartsWith(Key + "Password and " + Key + "PasswordFile are both set", error, StringComparison.Ordinal);
        Assert.DoesNotContain("inline-secret", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingPasswordFile_NamesTheKeyAndPath()
    {
        var path = Path.Combine(_folder, "missing");

        var error = Assert.Single(Errors(Mailbox(passwordFile: path)));

        Assert.StartsWith(Key + "PasswordFile", error, StringComparison.Ordinal);
        Assert.Contains($"'{path}' does not exist", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("s3cret", "s3cret")]
    [InlineData("s3cret\n", "s3cret")]
    [InlineData("s3cret\r\n", "s3cret")]
    [InlineData("s3cret\n\n", "s3cret\n")]
    [InlineData(" s3cret ", " s3cret ")]
    public void ReadPassword_FromFile_TrimsOneTrailingNewlineOnly(string content, string expected)
    {
        Assert.Equal(expected, Mailbox(passwordFile: WriteSecret(content)).ReadPassword());
    }

    [Fact]
    public void ReadPassword_FileRewritten_ReturnsTheNewPassword()
    {
        var mailbox = Mailbox(passwordFile: WriteSecret("first"));
        Assert.Equal("first", mailbox.ReadPassword());

        WriteSecret("rotated\n");

        Assert.Equal("rotated", mailbox.ReadPassword());
    }

    [Fact]
    public void ReadPassword_WithoutPasswordFile_IsPassword()
    {
        Assert.Equal("inline", Mailbox(password: "inline").ReadPassword());
    }
}
