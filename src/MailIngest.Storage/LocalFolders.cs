namespace MailIngest.Storage;

/// <summary>Local folders the stores create: with their mode set as they are made, missing ancestors included.</summary>
internal static class LocalFolders
{
    /// <summary>Creates <paramref name="folder"/> and whichever of its ancestors are missing, each with <paramref name="mode"/>.</summary>
    /// <remarks><see cref="Directory.CreateDirectory(string, UnixFileMode)"/> gives the mode to the last folder only.</remarks>
    public static void Create(string folder, UnixFileMode mode)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        if (Path.GetDirectoryName(folder) is { } parent)
        {
            Create(parent, mode);
        }

        if (OperatingSystem.IsWindows())
        {
            // No modes there: a folder inherits its parent's access rules.
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, mode);
        }
    }

    /// <summary>Deletes <paramref name="folder"/> with what a killed run left in it, and creates it empty.</summary>
    public static void Renew(string folder, UnixFileMode mode)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Create(folder, mode);
    }
}
