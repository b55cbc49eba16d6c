using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MailIngest.Ingestion;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Cli;

/// <summary><c>mailingest plan</c>: what <c>once</c> would fetch, skip and delete now: the run's own plan, stopped before fetching (no RETR, no DELE).</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var command = new Command("plan", "Show what 'once' would fetch and delete now, without fetching or deleting: 0 planned, 1 some mailbox could not be planned or is blocked, 2 configuration error.")
        {
            Options = { MailboxSelection.Option, MailboxSelection.JsonOption },
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
        return command;
    }

    private static Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken) =>
        MailboxSelection.RunAsync(parseResult, async (app, selected) =>
        {
            var runner = app.Services.GetRequiredService<IMailboxRunner>();
            var lines = new List<PlanLine>(selected.Count);
            foreach (var mailbox in selected)
            {
                lines.Add(await PlanLine.ForAsync(runner, mailbox, app.Options.Mailboxes[mailbox], cancellationToken));
            }

            await Console.Out.WriteAsync(parseResult.GetValue(MailboxSelection.JsonOption)
                ? JsonSerializer.Serialize(lines, PlanJson.Default.ListPlanLine) + Environment.NewLine
                : Render(lines));
            return lines.Any(l => l.Error is not null || l.Plan?.Blocked is not null) ? ExitCodes.MailboxFailed : ExitCodes.Success;
        });

    private static string Render(IReadOnlyList<PlanLine> lines)
    {
        string[] headers = ["MAILBOX", "ON SERVER", "NEW", "FETCH NOW", "BYTES", "LATER", "SKIP", "GIVE UP", "DELETE", "HELD BACK"];
        var text = new StringBuilder();
        TextTable.AppendTo(text, headers, lines.Select(line => line.Plan is { } p
            ? new[]
            {
                p.Mailbox, Count(p.OnServer), Count(p.New), Count(p.Fetch), Count(p.FetchBytes), Count(p.Later), Count(p.Skip), Count(p.GiveUp),
                Count(p.Delete), Count(p.Skipped + p.Unprocessable),
            }
            : [line.Mailbox, "-", "-", "-", "-", "-", "-", "-", "-", "-"]));

        foreach (var line in lines)
        {
            if ((line.Error ?? line.Plan?.Blocked) is { } problem)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{line.Mailbox}: {problem}");
            }
            else if (line.Plan?.Budget is { } budget)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{line.Mailbox}: {budget} leaves {line.Plan.Later} messages for later runs");
            }

            if (line.Plan is { Skipped: > 0 } or { Unprocessable: > 0 })
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"{line.Mailbox}: {line.Plan.Skipped} skipped (over MaxMessageSize) and {line.Plan.Unprocessable} unprocessable messages are held back on the server; 'mailingest retry --mailbox {line.Mailbox}' fetches them again");
            }
        }

        return text.ToString();
    }

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One mailbox's plan, or why it could not be made.</summary>
internal sealed record PlanLine(string Mailbox, MailboxPlan? Plan, string? Error)
{
    public static async Task<PlanLine> ForAsync(IMailboxRunner runner, string mailbox, Configuration.MailboxOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return new PlanLine(mailbox, await runner.PlanAsync(mailbox, options, cancellationToken), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new PlanLine(mailbox, null, e.Message);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(List<PlanLine>))]
internal sealed partial class PlanJson : JsonSerializerContext;
