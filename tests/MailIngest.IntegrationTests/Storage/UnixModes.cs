namespace MailIngest.IntegrationTests.Storage;

/// <summary>The mode of a file or folder, in octal as <c>chmod</c> takes it, e.g. <c>600</c>.</summary>
public static class UnixModes
{
    public static string Of(string path) => OperatingSystem.IsWindows()
        ? throw new PlatformNotSupportedException("File modes are Unix's.")
        : Convert.ToString((int)File.GetUnixFileMode(path), 8);
}
