using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A private Dovecot POP3 and IMAP server on free loopback ports, with its config, Maildirs and log in one temp
/// folder; disposing it stops the server and deletes the folder.
/// </summary>
public sealed class DovecotServer : IAsyncDisposable
{
    private const int MaxPortAttempts = 3;
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DefaultSessionWait = TimeSpan.FromSeconds(10);

    private readonly DovecotPaths _paths;
    private readonly MaildirDelivery _delivery = new();
    private DovecotOptions _options;
    private DovecotProcess? _process;
    private bool _disposed;

    private DovecotServer(DovecotPaths paths, DovecotOptions options)
    {
        _paths = paths;
        _options = options;
        var ports = FreePort.Find(options.Tls ? 4 : 2);
        Port = ports[0];
        ImapPort = ports[1];
        TlsPort = options.Tls ? ports[2] : null;
        ImapTlsPort = options.Tls ? ports[3] : null;
    }

    public string Host { get; } = "127.0.0.1";

    public int Port { get; }

    /// <summary>The POP3S (TLS on connect) port when started with <see cref="DovecotOptions.Tls"/>, else null.</summary>
    public int? TlsPort { get; }

    /// <summary>The IMAP port (STARTTLS with <see cref="DovecotOptions.Tls"/>).</summary>
    public int ImapPort { get; }

    /// <summary>The IMAPS (TLS on connect) port when started with <see cref="DovecotOptions.Tls"/>, else null.</summary>
    public int? ImapTlsPort { get; }

    /// <summary>With <see cref="DovecotOptions.Tls"/>: the PEM file of the server's self-signed certificate.</summary>
    public string CertificatePath => _paths.CertificateFile;

    /// <summary>The temp folder holding dovecot.conf, the log and the Maildirs.</summary>
    public string RootPath => _paths.Root;

    public string ConfigPath => _paths.ConfigFile;

    public string LogPath => _paths.LogFile;

    public string UidlFormat => _options.UidlFormat;

    /// <summary>Starts a server and waits for its greeting; throws with the Dovecot log if it does not come.</summary>
    public static async Task<DovecotServer> StartAsync(
        DovecotOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new DovecotOptions();
        for (var attempt = 1; ; attempt++)
        {
            var server = new DovecotServer(CreateRoot(), options);
            try
            {
                await server.StartProcessAsync(cancellationToken);
                return server;
            }
            catch (InvalidOperationException) when (attempt < MaxPortAttempts && server.PortWasTaken())
            {
                // Someone bound the free port between FreePort.Find and Dovecot's bind: try another.
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Adds (or changes) a POP3 account with a plain-text password and creates its Maildir.</summary>
    /// <remarks>Dovecot lowercases user names at login, so names must be lowercase; a changed password may take a second to apply.</remarks>
    public void AddUser(string user, string password)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RejectSeparators(user, nameof(user));
        RejectSeparators(password, nameof(password));
        if (user.Contains('/', StringComparison.Ordinal) || user is "." or ".." || user.Any(char.IsUpper))
        {
            throw new ArgumentException($"'{user}' is not usable: it must be lowercase and a valid folder name.", nameof(user));
        }

        WriteUserFile(user, password);
        MaildirDelivery.CreateFolders(_paths.Maildir(user));
        GiveToMailUser(_paths.UserHome(user));
    }

    /// <summary>Drops one message into the user's Maildir new/; the server's order is the delivery order.</summary>
    public Task DeliverAsync(string user, byte[] rawMessage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rawMessage);
        return _delivery.DeliverAsync(ExistingMaildir(user), rawMessage, cancellationToken);
    }

    /// <summary>Drops one message into the user's Maildir new/ under the given file name (with <c>%f</c> as UIDL format, its UIDL).</summary>
    public Task DeliverAsync(string user, byte[] rawMessage, string fileName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rawMessage);
        return MaildirDelivery.DeliverAsync(ExistingMaildir(user), rawMessage, fileName, cancellationToken);
    }

    public async Task DeliverFileAsync(string user, string path, CancellationToken cancellationToken = default)
    {
        var raw = await File.ReadAllBytesAsync(path, cancellationToken);
        await DeliverAsync(user, raw, cancellationToken);
    }

    /// <summary>Messages currently in the user's mailbox (files in new/ and cur/).</summary>
    public int MessageCount(string user) => MaildirDelivery.CountMessages(ExistingMaildir(user));

    /// <summary>Drops one message into an IMAP folder of the user's (INBOX, or a Maildir++ folder made when missing).</summary>
    public Task DeliverAsync(string user, string folder, byte[] rawMessage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rawMessage);
        return _delivery.DeliverAsync(FolderPath(user, folder), rawMessage, cancellationToken);
    }

    /// <summary>Messages in one IMAP folder of the user's, including those flagged \Deleted and not yet expunged.</summary>
    public int MessageCount(string user, string folder) => MaildirDelivery.CountMessages(FolderPath(user, folder));

    /// <summary>The Maildir of one IMAP folder (Maildir++: INBOX is the Maildir itself, folder X is .X in it), made when missing.</summary>
    public string FolderPath(string user, string folder)
    {
        var maildir = ExistingMaildir(user);
        if (string.Equals(folder, "INBOX", StringComparison.OrdinalIgnoreCase))
        {
            return maildir;
        }

        var path = Path.Combine(maildir, "." + folder);
        if (!Directory.Exists(path))
        {
            MaildirDelivery.CreateFolders(path);
            GiveToMailUser(path);
        }

        return path;
    }

    /// <summary>The message files of one IMAP folder, each with its Maildir flags (":2,S" for \Seen).</summary>
    public IReadOnlyList<string> MessageFiles(string user, string folder) =>
        [.. Directory.EnumerateFiles(Path.Combine(FolderPath(user, folder), "new")).Concat(Directory.EnumerateFiles(Path.Combine(FolderPath(user, folder), "cur")))
            .Select(Path.GetFileName).OfType<string>()];

    /// <summary>
    /// Makes Dovecot number a folder anew, as a restore or a migration does: its UID list and indexes go, and the
    /// server, restarted, gives the folder a new UIDVALIDITY and its messages new UIDs.
    /// </summary>
    public async Task RenumberAsync(string user, string folder, Func<string, string>? rewrite = null, CancellationToken cancellationToken = default)
    {
        await StopAsync();
        var path = FolderPath(user, folder);
        foreach (var file in Directory.EnumerateFiles(path, "dovecot*"))
        {
            File.Delete(file);
        }

        // A migration that rewrites each message on the way, as some do to the header.
        foreach (var message in rewrite is null ? [] : Directory.EnumerateFiles(Path.Combine(path, "cur")).Concat(Directory.EnumerateFiles(Path.Combine(path, "new"))))
        {
            await File.WriteAllTextAsync(message, rewrite!(await File.ReadAllTextAsync(message, Encoding.Latin1, cancellationToken)), Encoding.Latin1, cancellationToken);
        }

        await StartProcessAsync(cancellationToken);
    }

    public string ReadLog()
    {
        if (!File.Exists(_paths.LogFile))
        {
            return string.Empty;
        }

        // Dovecot's log process keeps the file open for writing.
        using var stream = new FileStream(
            _paths.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The log once Dovecot has logged a login of <paramref name="protocol"/> (<c>pop3</c>, <c>imap</c>) refused: its
    /// login process writes that line after the client has gone, so a test that counts failed logins waits for it.
    /// </summary>
    public async Task<string> LogOnceLoginRefusedAsync(string protocol)
    {
        await Eventually.HoldsAsync(
            () => ReadLog().Split('\n').Any(line => IsRefusedLogin(line, protocol)),
            TimeSpan.FromSeconds(10),
            $"Dovecot logs the end of a refused {protocol} login");
        return ReadLog();
    }

    /// <summary>Whether a line of the log is the end of a login of <paramref name="protocol"/> that Dovecot refused.</summary>
    public static bool IsRefusedLogin(string line, string protocol) =>
        line.Contains($"{protocol}-login: Info: Disconnected", StringComparison.Ordinal) && line.Contains("auth failed", StringComparison.Ordinal);

    /// <summary>One entry per ended IMAP session, in log order: bodies fetched, messages expunged.</summary>
    public IReadOnlyList<ImapSessionStats> ImapSessions(string? user = null) =>
        [.. ImapSessionStats.Parse(ReadLog()).Where(s => user is null || s.User == user)];

    /// <summary>One entry per ended POP3 session, in log order: RETRs, bytes, DELEs, and whether it ended with QUIT.</summary>
    private IReadOnlyList<Pop3SessionStats> EndedSessions() => Pop3SessionStats.Parse(ReadLog());

    /// <summary>
    /// Waits until Dovecot has logged at least <paramref name="count"/> ended sessions (of
    /// <paramref name="user"/> if given): the log line is written just after the client sees QUIT's reply.
    /// </summary>
    public async Task<IReadOnlyList<Pop3SessionStats>> WaitForSessionsAsync(
        int count,
        string? user = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var sessions = EndedSessions().Where(s => user is null || s.User == user).ToList();
            if (sessions.Count >= count)
            {
                return sessions;
            }

            if (stopwatch.Elapsed > (timeout ?? DefaultSessionWait))
            {
                throw new TimeoutException(
                    $"Dovecot logged {sessions.Count} ended POP3 sessions, expected {count}. Log:\n{ReadLog()}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Stops the server and starts it again on the same port and Maildirs, optionally with another UIDL format.</summary>
    public async Task RestartAsync(string? uidlFormat = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await StopAsync();
        if (uidlFormat is not null)
        {
            _options = _options with { UidlFormat = uidlFormat };
        }

        await StartProcessAsync(cancellationToken);
    }

    /// <summary>Stops the server, keeping its folder (a stopped server refuses connections).</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is not null)
        {
            await process.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAsync();
        try
        {
            Directory.Delete(_paths.Root, recursive: true);
        }
        catch (IOException)
        {
            // A straggling child may still hold a file; a leftover temp folder is not worth failing a test.
        }
    }

    private static DovecotPaths CreateRoot()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The Dovecot test server runs on Linux only.");
        }

        var root = Directory.CreateTempSubdirectory("mailingest-dovecot-").FullName;

        // The temp folder is created 0700; Dovecot's auth (user dovecot) and mail processes (nobody) must enter it.
        File.SetUnixFileMode(root, (UnixFileMode)Convert.ToInt32("755", 8));
        var paths = new DovecotPaths(root);
        Directory.CreateDirectory(paths.MailRoot);
        Directory.CreateDirectory(paths.StateDir);
        Directory.CreateDirectory(paths.UsersDir);
        return paths;
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        if (TlsPort is not null && !File.Exists(_paths.CertificateFile))
        {
            DovecotCertificate.Write(_paths.CertificateFile, _paths.KeyFile, Host);
        }

        if (_options.OAuth2IntrospectionUrl is { } introspectionUrl)
        {
            await File.WriteAllTextAsync(_paths.OAuth2ConfigFile, DovecotConfig.RenderOAuth2(introspectionUrl), cancellationToken);
        }

        await File.WriteAllTextAsync(_paths.ConfigFile, DovecotConfig.Render(_paths, new DovecotPorts(Port, ImapPort, TlsPort, ImapTlsPort), _options), cancellationToken);
        var process = DovecotProcess.Start(_paths.ConfigFile);
        _process = process;

        var stopwatch = Stopwatch.StartNew();
        while (!await GreetsAsync(Port, "+OK", "QUIT\r\n", cancellationToken) || !await GreetsAsync(ImapPort, "* OK", "a LOGOUT\r\n", cancellationToken))
        {
            if (process.HasExited || stopwatch.Elapsed > _options.StartTimeout)
            {
                var reason = process.HasExited ? "exited" : $"did not greet within {_options.StartTimeout.TotalSeconds:0} s";
                throw new InvalidOperationException(
                    $"Dovecot on {Host}:{Port} {reason}.\n--- output ---\n{process.Output}\n--- {_paths.LogFile} ---\n{ReadLog()}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>True once the port accepts a connection and greets (POP3 "+OK", IMAP "* OK").</summary>
    private async Task<bool> GreetsAsync(int port, string greets, string bye, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(Host, port, timeout.Token);
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var greeting = await reader.ReadLineAsync(timeout.Token);
            if (greeting is null || !greeting.StartsWith(greets, StringComparison.Ordinal))
            {
                return false;
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(bye), timeout.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private bool PortWasTaken() =>
        ReadLog().Contains("Address already in use", StringComparison.Ordinal)
        || (_process?.Output.Contains("Address already in use", StringComparison.Ordinal) ?? false);

    private void WriteUserFile(string user, string password)
    {
        var file = _paths.UsersFile(user);
        var temporary = file + ".tmp";

        // Replace atomically: the auth process may read the file at any moment.
        File.WriteAllText(temporary, $"{user}:{{PLAIN}}{password}\n");
        File.Move(temporary, file, overwrite: true);
    }

    private string ExistingMaildir(string user)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        var maildir = _paths.Maildir(user);
        return Directory.Exists(maildir)
            ? maildir
            : throw new InvalidOperationException($"Unknown user '{user}': call AddUser first.");
    }

    /// <summary>Dovecot serves the mailbox as nobody, which must own the folders to move and delete files.</summary>
    private static void GiveToMailUser(string folder)
    {
        var startInfo = new ProcessStartInfo("chown") { UseShellExecute = false, RedirectStandardError = true };
        startInfo.ArgumentList.Add("-R");
        startInfo.ArgumentList.Add($"{DovecotConfig.MailUser}:{DovecotConfig.MailGroup}");
        startInfo.ArgumentList.Add(folder);
        using var chown = Process.Start(startInfo) ?? throw new InvalidOperationException("chown did not start.");
        var error = chown.StandardError.ReadToEnd();
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown of '{folder}' failed (the tests must run as root): {error}");
        }
    }

    private static void RejectSeparators(string value, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameterName);

        // The passwd-file is colon-separated, one entry a line.
        if (value.AsSpan().IndexOfAny(":\r\n") >= 0)
        {
            throw new ArgumentException("A ':' or a line break would corrupt the passwd-file.", parameterName);
        }
    }
}
