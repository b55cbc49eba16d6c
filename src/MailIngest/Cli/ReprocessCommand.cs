using System.CommandLine;
using System.Globalization;
using MailIngest.Reprocessing;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Cli;

/// <summary>
/// <c>mailingest reprocess [--mailbox NAME]... [--since DATE] [--until DATE] [--key KEY]... [--quarantine] [--dry-run]</c>:
/// decode again, with the current decoder and limits, what is stored, or drain the quarantine; after a decoder fix, a
/// raised limit, or objects lost from a message's folder (docs/reprocess.md). Connects to no server.
/// </summary>
internal static class ReprocessCommand
{
    private const string DateFormat = "yyyy-MM-dd";

    private static readonly Option<string?> SinceOption = new("--since")
    {
        Description = "Only stored messages filed on this day (YYYY-MM-DD, the date folder: the message's Date in UTC) or later; undated ones are left out.",
    };

    private static readonly Option<string?> UntilOption = new("--until")
    {
        Description = "Only stored messages filed on this day (YYYY-MM-DD) or earlier; undated ones are left out.",
    };

    private static readonly Option<string[]> KeyOption = new("--key")
    {
        Description = "Only the message with this key, the name of its folder (repeat the option for several).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<bool> QuarantineOption = new("--quarantine")
    {
        Description = "Decode the quarantined messages instead of the stored ones: those that decode now move into messages/, the rest stay with the new error.",
    };

    private static readonly Option<bool> DryRunOption = new("--dry-run")
    {
        Description = "Read and decode, and say what would change; write nothing.",
    };

    public static Command Create()
    {
        var command = new Command(
            "reprocess",
            "Decode stored (or quarantined) messages again with the current decoder and limits, without connecting to a server: " +
            "0 all succeeded, 1 some mailbox or message failed, 2 configuration error.")
        {
            Options = { MailboxSelection.Option, SinceOption, UntilOption, KeyOption, QuarantineOption, DryRunOption },
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (Request(parseResult, out var usageError) is not { } request)
        {
            await Console.Error.WriteLineAsync($"Usage error: {usageError}");
            return ExitCodes.ConfigurationError;
        }

        return await MailboxSelection.RunAsync(parseResult, async (app, selected) =>
        {
            var reprocessor = app.Services.GetRequiredService<IReprocessor>();
            var results = new ReprocessResult[selected.Count];
            await Parallel.ForEachAsync(
                Enumerable.Range(0, selected.Count),
                new ParallelOptions { MaxDegreeOfParallelism = app.Options.MaxConcurrentMailboxes },
                async (i, _) => results[i] = await reprocessor.ReprocessAsync(selected[i], request, cancellationToken));
            return await RunReport.WriteAsync(results);
        });
    }

    private static ReprocessRequest? Request(ParseResult parseResult, out string? error)
    {
        error = null;
        var quarantine = parseResult.GetValue(QuarantineOption);
        if (!TryParseDate(parseResult.GetValue(SinceOption), "--since", out var since, ref error)
            || !TryParseDate(parseResult.GetValue(UntilOption), "--until", out var until, ref error))
        {
            return null;
        }

        if (quarantine && (since is not null || until is not null))
        {
            error = "--since and --until select stored messages by their date folder, which quarantined ones do not have; select those with --key.";
            return null;
        }

        if (since > until)
        {
            error = $"--since {since:yyyy-MM-dd} is after --until {until:yyyy-MM-dd}, which selects nothing.";
            return null;
        }

        return new ReprocessRequest
        {
            Since = since,
            Until = until,
            Keys = (parseResult.GetValue(KeyOption) ?? []).ToHashSet(StringComparer.Ordinal),
            Quarantine = quarantine,
            DryRun = parseResult.GetValue(DryRunOption),
        };
    }

    private static bool TryParseDate(string? text, string option, out DateOnly? date, ref string? error)
    {
        date = null;
        if (text is null)
        {
            return true;
        }

        if (DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            date = parsed;
            return true;
        }

        error = $"{option} takes a day as YYYY-MM-DD (the date folders' own form), was '{text}'.";
        return false;
    }
}
