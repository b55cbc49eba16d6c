using System.Text.Json.Serialization;
using MailIngest.Ledger;

namespace MailIngest.Host.Cli;

/// <summary>One mailbox's line of <c>mailingest status</c>: the ledger without its list of UIDLs, and who holds the mailbox now.</summary>
internal sealed record MailboxStatus(
    string Mailbox, bool Ingested, int LedgerEntries, string? HighWaterMark, LedgerTotals Totals, RunRecord? LastRun, string? LockHolder)
{
    public static MailboxStatus From(string mailbox, LedgerDocument? ledger, string? lockHolder) => ledger is null
        ? new MailboxStatus(mailbox, false, 0, null, new LedgerTotals(), null, lockHolder)
        : new MailboxStatus(mailbox, true, ledger.Uidls.Count, ledger.HighWaterMark, ledger.Totals, ledger.LastRun, lockHolder);
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(List<MailboxStatus>))]
internal sealed partial class StatusJson : JsonSerializerContext;
