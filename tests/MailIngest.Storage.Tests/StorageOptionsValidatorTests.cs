namespace MailIngest.Storage.Tests;

public sealed class StorageOptionsValidatorTests
{
    private const string Azurite =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    private static IEnumerable<string> Failures(StorageOptions options) =>
        new StorageOptionsValidator().Validate(null, options).Failures ?? [];

    [Theory]
    [InlineData(Azurite, "")]
    [InlineData("UseDevelopmentStorage=true", "")]
    [InlineData("", "https://account.blob.core.windows.net")]
    public void Validate_AzureBlobWithOneCredential_Succeeds(string connectionString, string serviceUri)
    {
        Assert.Empty(Failures(new StorageOptions { Provider = StorageProvider.AzureBlob, ConnectionString = connectionString, ServiceUri = serviceUri }));
    }

    [Theory]
    [InlineData("", "", "ConnectionString or MailIngest:Storage:ServiceUri is required")]
    [InlineData(Azurite, "https://account.blob.core.windows.net", "are both set")]
    [InlineData("not a connection string", "", "ConnectionString is not a valid Azure Storage connection string")]
    [InlineData("", "http://account.blob.core.windows.net", "ServiceUri must be an https URL")]
    [InlineData("", "account.blob.core.windows.net", "ServiceUri must be an https URL")]
    public void Validate_AzureBlobCredentials_NamesTheKeyAndTheFix(string connectionString, string serviceUri, string expected)
    {
        var failure = Assert.Single(Failures(new StorageOptions { Provider = StorageProvider.AzureBlob, ConnectionString = connectionString, ServiceUri = serviceUri }));

        Assert.Contains(expected, failure, StringComparison.Ordinal);
        Assert.DoesNotContain("Eby8vdM02", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Mail")]
    [InlineData("-mail")]
    [InlineData("mail-")]
    [InlineData("ma--il")]
    [InlineData("mail_box")]
    public void Validate_BadContainerName_IsRefused(string container)
    {
        var failure = Assert.Single(Failures(new StorageOptions { Provider = StorageProvider.AzureBlob, ConnectionString = Azurite, Container = container }));

        Assert.Contains("MailIngest:Storage:Container must be 3-63 lowercase letters", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TimingsOutOfRange_NameEachKey()
    {
        var failures = Failures(new StorageOptions
        {
            Provider = StorageProvider.AzureBlob,
            ConnectionString = Azurite,
            LeaseDuration = TimeSpan.FromSeconds(90),
            NetworkTimeout = TimeSpan.Zero,
            MaxRetries = -1,
            RetryDelay = TimeSpan.FromMinutes(5),
        }).ToList();

        Assert.Equal(4, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("MailIngest:Storage:LeaseDuration", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("MailIngest:Storage:NetworkTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("MailIngest:Storage:MaxRetries", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("MailIngest:Storage:RetryDelay", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(15, 5, 0)]
    [InlineData(15, 4, 1)]
    [InlineData(60, 30, 1)]
    public void Validate_LeaseTooShortForATimedOutTryAndARetryInAThird_IsRefusedNamingTheKeys(int leaseSeconds, int timeoutSeconds, int retryDelaySeconds)
    {
        var failure = Assert.Single(Failures(new StorageOptions
        {
            Provider = StorageProvider.AzureBlob,
            ConnectionString = Azurite,
            LeaseDuration = TimeSpan.FromSeconds(leaseSeconds),
            NetworkTimeout = TimeSpan.FromSeconds(timeoutSeconds),
            RetryDelay = TimeSpan.FromSeconds(retryDelaySeconds),
        }));

        Assert.StartsWith("MailIngest:Storage:LeaseDuration", failure, StringComparison.Ordinal);
        Assert.Contains("MailIngest:Storage:NetworkTimeout", failure, StringComparison.Ordinal);
        Assert.Contains("MailIngest:Storage:RetryDelay", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SpoolPathAFile_IsRefusedNamingTheKey()
    {
        var file = Path.GetTempFileName();
        try
        {
            var failure = Assert.Single(Failures(new StorageOptions { Provider = StorageProvider.AzureBlob, ConnectionString = Azurite, SpoolPath = file }));

            Assert.StartsWith("MailIngest:Storage:SpoolPath must", failure, StringComparison.Ordinal);
            Assert.Empty(Failures(new StorageOptions { Provider = StorageProvider.AzureBlob, ConnectionString = Azurite, SpoolPath = "" }));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("600", "700")]
    [InlineData("640", "750")]
    [InlineData("644", "755")]
    public void Validate_FileSystemModes_OwnerFullAndOthersReadAtMost_Succeed(string fileMode, string folderMode)
    {
        Assert.Empty(Failures(new StorageOptions { FileMode = fileMode, FolderMode = folderMode }));
    }

    [Theory]
    [InlineData("FileMode", "0600", "must be three octal digits")]
    [InlineData("FileMode", "680", "must be three octal digits")]
    [InlineData("FileMode", "400", "must start with 6")]
    [InlineData("FileMode", "700", "must start with 6")]
    [InlineData("FileMode", "660", "may give group and others read (4) at most")]
    [InlineData("FileMode", "645", "may give group and others read (4) at most")]
    [InlineData("FolderMode", "rwx", "must be three octal digits")]
    [InlineData("FolderMode", "600", "must start with 7")]
    [InlineData("FolderMode", "777", "may give group and others read and enter (5) at most")]
    public void Validate_FileSystemModes_Wrong_NameTheKeyAndTheRule(string key, string mode, string expected)
    {
        var options = key == "FileMode" ? new StorageOptions { FileMode = mode } : new StorageOptions { FolderMode = mode };

        var failure = Assert.Single(Failures(options));

        Assert.StartsWith($"MailIngest:Storage:{key} {expected}", failure, StringComparison.Ordinal);
        Assert.Contains($"was '{mode}'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FileSystem_IgnoresTheAzureSettings()
    {
        Assert.Empty(Failures(new StorageOptions { Container = "X", LeaseDuration = TimeSpan.Zero, SpoolPath = "" }));
    }
}
