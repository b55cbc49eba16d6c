using System.CommandLine;
using System.Globalization;
using System.Text;
using MailIngest.Archive;
using MailIngest.Configuration;
using MailIngest.Sources;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Cli;

/// <summary>
/// <c>mailingest check</c>: the configuration is valid, every mailbox's server accepts the login, and the store takes a
/// write. Reads no mail and deletes none; the only write is a small probe object, <c>state/.mailingest-check</c>.
/// </summary>
internal static class CheckCommand
{
    private const string ProbePath = "state/.mailingest-check";

    public static Command Create()
    {
        var command = new Command("check", "Validate the configuration, log in to each mailbox and show its capabilities and size, and prove the store is writable: 0 all well, 1 something failed, 2 configuration error.")
        {
            Options = { MailboxSelection.Option },
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
        return command;
    }

    private static Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken) =>
        MailboxSelection.RunAsync(parseResult, async (app, selected) =>
        {
            await Console.Out.WriteLineAsync("configuration: ok");
            var healthy = true;
            var sources = app.Services.GetServices<IMailSource>().ToList();
            foreach (var mailbox in selected)
            {
                healthy &= await CheckMailboxAsync(sources, mailbox, app.Options.Mailboxes[mailbox], cancellationToken);
            }

            healthy &= await CheckStoreAsync(app.Services.GetRequiredService<IMailArchive>(), cancellationToken);
            return healthy ? ExitCodes.Success : ExitCodes.MailboxFailed;
        });

    private static async Task<bool> CheckMailboxAsync(IReadOnlyList<IMailSource> sources, string mailbox, MailboxOptions options, CancellationToken cancellationToken)
    {
        try
        {
            await using var session = await sources.First(source => source.Serves(options)).OpenAsync(mailbox, options, cancellationToken);
            var info = session.Info;
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"{mailbox}: ok, logged in to {info.Endpoint} as {options.Username}{(info.Encrypted ? " over TLS" : " WITHOUT TLS")}");
            if (info.Greeting is { } greeting)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  server:        {greeting}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"  capabilities:  {string.Join(' ', info.Capabilities)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  SASL:          {(info.SaslMechanisms.Count == 0 ? "none" : string.Join(' ', info.SaslMechanisms))}");
            if (info.Folders is { } folders)
            {
                DescribeImap(text, options, info, folders);
            }
            else
            {
                DescribePop3(text, session, info);
            }

            await Console.Out.WriteAsync(text.ToString());

            // QUIT without a DELE changes nothing on the server.
            await session.CommitAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Out.WriteLineAsync($"{mailbox}: FAILED: {e.Message}");
            return false;
        }
    }

    private static void DescribePop3(StringBuilder text, IMailSession session, MailServerInfo info)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"  LOGIN-DELAY:   {(session.LoginDelay is { } delay ? $"{delay.TotalSeconds:0} s" : "none")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  EXPIRE:        {info.Expire switch { null => "not announced", 0 => "retrieved mail is deleted at once", var days => $"{days} days" }}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  mailbox:       {info.MessageCount} messages, {info.MailboxSize} bytes");
        if (!info.Capabilities.Contains("UIDL"))
        {
            text.AppendLine("  warning:       the server does not announce UIDL; ingestion needs it");
        }
    }

    /// <summary>
    /// Each folder as STATUS gave it, and what the capabilities mean for the mailbox's settings; settings the server
    /// cannot honour (DeleteAfterIngest without UIDPLUS) have failed the login already.
    /// </summary>
    private static void DescribeImap(StringBuilder text, MailboxOptions options, MailServerInfo info, IReadOnlyList<FolderInfo> folders)
    {
        foreach (var folder in folders)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  folder:        {folder.Name}: {folder.Messages} messages, UIDVALIDITY {folder.UidValidity}, UIDNEXT {folder.UidNext?.ToString(CultureInfo.InvariantCulture) ?? "not given"}");
        }

        if (options.Idle && !info.Capabilities.Contains("IDLE"))
        {
            text.AppendLine("  warning:       Idle is set, but the server does not offer IDLE: 'mailingest run' polls this mailbox on its Schedule only");
        }

        if (folders.Any(f => f.UidNext is null))
        {
            text.AppendLine("  warning:       the server gives no UIDNEXT in STATUS, so every poll lists each folder in full");
        }
    }

    /// <summary>Retrieved messages are spooled here on their way in: a folder that cannot be written fails every fetch.</summary>
    private static void CheckSpoolFolder(string folder)
    {
        Directory.CreateDirectory(folder);
        var probe = Path.Combine(folder, $".check-{Guid.NewGuid():N}");
        File.WriteAllText(probe, "mailingest check\n");
        File.Delete(probe);
    }

    private static async Task<bool> CheckStoreAsync(IMailArchive archive, CancellationToken cancellationToken)
    {
        try
        {
            var probe = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"mailingest check {DateTimeOffset.UtcNow:O}\n"));
            await archive.WriteAsync(
                ProbePath,
                new ArchiveObjectInfo("text/plain", ArchiveObjectKind.Ledger, "check"),
                (stream, ct) => stream.WriteAsync(probe, ct).AsTask(),
                WriteCondition.None,
                cancellationToken);
            var read = await archive.ReadAsync(ProbePath, cancellationToken);
            if (read is null || !read.Content.Span.SequenceEqual(probe))
            {
                await Console.Out.WriteLineAsync($"storage: FAILED: {archive.Location} did not return what was written to {ProbePath}");
                return false;
            }

            await archive.DeleteAsync(ProbePath, cancellationToken);
            CheckSpoolFolder(archive.SpoolFolder);
            await Console.Out.WriteLineAsync($"storage: ok, {archive.Location} is writable, and so is the spool folder {archive.SpoolFolder}");
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Out.WriteLineAsync($"storage: FAILED: {e.Message}");
            return false;
        }
    }
}
