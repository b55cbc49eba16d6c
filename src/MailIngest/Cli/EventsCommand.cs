using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MailIngest.Events;
using MailIngest.Ingestion;
using Microsoft.Extensions.DependencyInjection;

namespace MailIngest.Host.Cli;

/// <summary>
/// <c>mailingest events [--mailbox NAME]</c>: each mailbox's outbox, the events waiting and the dead letters;
/// <c>mailingest events resend --mailbox NAME [ID...]</c>: send dead letters again (docs/events.md). Connects to no server.
/// </summary>
internal static class EventsCommand
{
    private static readonly Argument<string[]> IdsArgument = new("ID")
    {
        Description = "The IDs of the dead letters to send again, as 'mailingest events' lists them; default: every dead letter of the mailbox.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Command Create()
    {
        var resend = new Command(
            "resend",
            "Send a mailbox's dead letters again (all, or the IDs given), with the rest of its outbox: 0 all delivered, 1 some not (they stay in the outbox), 2 configuration error.")
        {
            Options = { MailboxSelection.Option },
            Arguments = { IdsArgument },
        };
        resend.SetAction((parseResult, cancellationToken) => ResendAsync(parseResult, cancellationToken));

        var command = new Command("events", "List each mailbox's outbox: the events waiting to be delivered and the dead letters the sink refused: 0 listed, 2 configuration error.")
        {
            Options = { MailboxSelection.Option, MailboxSelection.JsonOption },
            Subcommands = { resend },
        };
        command.SetAction((parseResult, cancellationToken) => ListAsync(parseResult, cancellationToken));
        return command;
    }

    private static Task<int> ListAsync(ParseResult parseResult, CancellationToken cancellationToken) =>
        MailboxSelection.RunAsync(parseResult, async (app, selected) =>
        {
            var outbox = app.Services.GetRequiredService<IEventOutbox>();
            var contents = new List<OutboxContents>(selected.Count);
            foreach (var mailbox in selected)
            {
                contents.Add(await outbox.ReadAsync(mailbox, cancellationToken));
            }

            await Console.Out.WriteAsync(parseResult.GetValue(MailboxSelection.JsonOption)
                ? JsonSerializer.Serialize(contents, EventsJson.Default.ListOutboxContents) + Environment.NewLine
                : Render(contents, TimeProvider.System.GetUtcNow()));
            return ExitCodes.Success;
        });

    private static async Task<int> ResendAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var ids = parseResult.GetValue(IdsArgument) ?? [];
        // IDs belong to one mailbox; re-sending every mailbox's dead letters is never the default.
        if ((parseResult.GetValue(MailboxSelection.Option) ?? []).Length != 1)
        {
            await Console.Error.WriteLineAsync("Usage error: events resend needs exactly one --mailbox NAME (its IDs belong to that mailbox).");
            return ExitCodes.ConfigurationError;
        }

        return await MailboxSelection.RunAsync(parseResult, async (app, selected) =>
        {
            if (!app.Services.GetRequiredService<IMessageEvents>().Enabled)
            {
                await Console.Error.WriteLineAsync($"Configuration error: {EventsOptions.SectionName}:Sink is None, so there is nowhere to send events: set it to AzureQueue or Webhook (docs/events.md).");
                return ExitCodes.ConfigurationError;
            }

            var result = await app.Services.GetRequiredService<IEventOutbox>().ResendAsync(selected[0], ids, cancellationToken);
            if (result.Error is not null)
            {
                await Console.Out.WriteLineAsync($"{result.Mailbox}: FAILED: {result.Error}");
                return ExitCodes.MailboxFailed;
            }

            if (result.Delivery is not { } delivery)
            {
                await Console.Out.WriteLineAsync($"{result.Mailbox}: no dead letters; nothing to send again");
                return ExitCodes.Success;
            }

            await Console.Out.WriteLineAsync($"{result.Mailbox}: sent again {result.Requeued.Count} dead letters; {delivery.Summary}");
            return delivery is { Pending: 0, DeadLettered: 0 } ? ExitCodes.Success : ExitCodes.MailboxFailed;
        });
    }

    private static string Render(IReadOnlyList<OutboxContents> contents, DateTimeOffset now)
    {
        string[] headers = ["MAILBOX", "STATE", "ID", "TYPE", "QUEUED (UTC)", "AGE", "REFUSED"];
        var rows = contents.SelectMany(c =>
            c.Pending.Select(e => (IReadOnlyList<string>)[c.Mailbox, "pending", e.Id, TypeName(e.Type), Time(e.QueuedAt), StatusTable.Age(now - e.QueuedAt), "-"])
                .Concat(c.Dead.Select(d => (IReadOnlyList<string>)[c.Mailbox, "dead", d.Id, TypeName(d.Type), Time(d.QueuedAt), StatusTable.Age(now - d.QueuedAt), d.Reason])));
        var text = new StringBuilder();
        TextTable.AppendTo(text, headers, rows);
        foreach (var outbox in contents)
        {
            var resend = outbox.Dead.Count > 0 ? $"; 'mailingest events resend --mailbox {outbox.Mailbox}' sends them again" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"{outbox.Mailbox}: {outbox.Pending.Count} events waiting, {outbox.Dead.Count} dead letters{resend}");
        }

        return text.ToString();
    }

    private static string TypeName(MessageEventType type) => type.ToString().ToLowerInvariant();

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(List<OutboxContents>))]
internal sealed partial class EventsJson : JsonSerializerContext;
