namespace MailIngest.Storage.FileSystem;

/// <summary>
/// The modes the FileSystem store gives the files and folders it creates, set as it creates them (no window in which
/// they are wider): the owner's alone by default, so that mail is not readable by every user of a shared host.
/// </summary>
/// <remarks>The process umask still applies, as to any file created: it can narrow these modes, never widen them.</remarks>
internal sealed record ArchiveModes(UnixFileMode File, UnixFileMode Folder)
{
    public const string DefaultFileMode = "600";
    public const string DefaultFolderMode = "700";

    public static ArchiveModes Private { get; } = new(Parse(DefaultFileMode), Parse(DefaultFolderMode));

    public static ArchiveModes From(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ArchiveModes(Parse(options.FileMode), Parse(options.FolderMode));
    }

    /// <summary>How to open a file: if the opening creates it, it is created with <see cref="File"/>.</summary>
    public FileStreamOptions Opening(FileMode mode, FileAccess access, FileShare share, int bufferSize)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows() && mode is not (FileMode.Open or FileMode.Truncate))
        {
            options.UnixCreateMode = File;
        }

        return options;
    }

    /// <summary>
    /// Gives a file made by someone else (the core's spool file) the mode of the archive's files before it is renamed into
    /// the archive; it is in the private spool until then, so it is never seen with another mode.
    /// </summary>
    public void Adopt(string file)
    {
        if (!OperatingSystem.IsWindows())
        {
            System.IO.File.SetUnixFileMode(file, File);
        }
    }

    /// <summary>Why <paramref name="mode"/> cannot be used, or null when it can.</summary>
    /// <param name="mode">Three octal digits, as <c>chmod</c> takes them.</param>
    /// <param name="folder">Whether it is a folder's mode, whose owner also needs to enter it (7), rather than a file's (6).</param>
    public static string? Problem(string mode, bool folder)
    {
        ArgumentNullException.ThrowIfNull(mode);
        var owner = folder ? '7' : '6';
        if (mode.Length != 3 || !mode.All(char.IsAsciiDigit) || mode.Any(digit => digit > '7'))
        {
            return $"must be three octal digits as chmod takes them, e.g. {(folder ? DefaultFolderMode : DefaultFileMode)}";
        }

        if (mode[0] != owner)
        {
            return $"must start with {owner}: the store itself needs {(folder ? "to read, write and enter its folders" : "to read and write its files")}";
        }

        // Others may be let read the archive (a consumer in the owner's group), never change it.
        var forbidden = folder ? 2 : 3;
        return mode[1..].Any(digit => ((digit - '0') & forbidden) != 0)
            ? $"may give group and others {(folder ? "read and enter (5)" : "read (4)")} at most: only the store writes the archive"
            : null;
    }

    private static UnixFileMode Parse(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);
}
