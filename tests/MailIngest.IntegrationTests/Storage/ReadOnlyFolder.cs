using System.Diagnostics;
using MailIngest.IntegrationTests.Infrastructure;

namespace MailIngest.IntegrationTests.Storage;

/// <summary>
/// Makes a folder read-only to the test's own process until disposed: for root, whom no file mode stops, a read-only
/// bind mount over it (a read-only file system, as a full or remounted disk gives); for anyone else, mode 0555.
/// </summary>
public sealed class ReadOnlyFolder : IDisposable
{
    private readonly string _path;
    private readonly UnixFileMode _mode;

    public ReadOnlyFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Read-only folders are made with Unix modes or mounts.");
        }

        _path = path;
        _mode = File.GetUnixFileMode(path);
        if (Environment.IsPrivilegedProcess)
        {
            Run("mount", "--bind", "-o", "ro", path, path);
        }
        else
        {
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("555", 8));
        }
    }

    public void Dispose()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (Environment.IsPrivilegedProcess)
        {
            Run("umount", _path);
        }
        else
        {
            File.SetUnixFileMode(_path, _mode);
        }
    }

    private static void Run(string command, params string[] arguments)
    {
        TestLane.RequireIntegration(command);
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, UseShellExecute = false })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        }
    }
}
