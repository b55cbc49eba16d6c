using Microsoft.Extensions.Options;

namespace MailIngest.Storage;

/// <summary>Checks the storage settings at start, naming the key and the fix.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) => options.Provider switch
    {
        StorageProvider.FileSystem when string.IsNullOrWhiteSpace(options.Path) =>
            ValidateOptionsResult.Fail($"{StorageOptions.SectionName}:Path is required for the FileSystem provider: set it to the archive's folder, e.g. ./data."),
        StorageProvider.FileSystem => ValidateOptionsResult.Success,
        StorageProvider.AzureBlob =>
            ValidateOptionsResult.Fail($"{StorageOptions.SectionName}:Provider AzureBlob is not available in this version yet; use FileSystem."),
        _ => ValidateOptionsResult.Fail($"{StorageOptions.SectionName}:Provider must be FileSystem or AzureBlob, was {options.Provider}."),
    };
}
