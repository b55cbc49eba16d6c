using System.Text.Json;
using MailIngest.Archive;
using MailIngest.Ledger;

namespace MailIngest.Core.Tests.Ledger;

public class UidlLedgerTests
{
    [Fact]
    public void Add_NewUidl_IsContainedAndBecomesHighWaterMark()
    {
        var ledger = UidlLedger.Empty("support");

        ledger.Add("a");
        ledger.Add("b");

        Assert.True(ledger.Contains("a"));
        Assert.True(ledger.Contains("b"));
        Assert.False(ledger.Contains("c"));
        Assert.Equal("b", ledger.HighWaterMark);
        Assert.Equal(2, ledger.Count);
    }

    [Fact]
    public void Add_SameUidlTwice_KeepsOneEntry()
    {
        var ledger = UidlLedger.Empty("support");

        ledger.Add("a");
        ledger.Add("a");

        Assert.Equal(["a"], ledger.ToDocument().Uidls);
    }

    [Fact]
    public void Prune_UidlsGoneFromServer_AreForgottenAndOrderKept()
    {
        var ledger = UidlLedger.Empty("support");
        foreach (var uidl in new[] { "a", "b", "c", "d" })
        {
            ledger.Add(uidl);
        }

        var removed = ledger.Prune(new HashSet<string> { "b", "d", "x" });

        Assert.Equal(2, removed);
        Assert.Equal(["b", "d"], ledger.ToDocument().Uidls);
        Assert.False(ledger.Contains("a"));
        Assert.False(ledger.Contains("x"));
        Assert.Equal("d", ledger.HighWaterMark);
    }

    [Fact]
    public void Uidls_AreCaseSensitive()
    {
        var ledger = UidlLedger.Empty("support");

        ledger.Add("AbC");

        Assert.False(ledger.Contains("abc"));
    }

    [Fact]
    public void Document_RoundTripsThroughJson_WithCamelCaseNames()
    {
        var ledger = UidlLedger.Empty("support");
        ledger.Add("u1");
        ledger.Totals = new LedgerTotals(MessagesStored: 1, BytesStored: 42);
        ledger.LastRun = new RunRecord(
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(3), RunOutcome.Succeeded, null, 1, 1, 0, 0, 42);

        var json = JsonSerializer.Serialize(ledger.ToDocument(), ArchiveJson.Readable.LedgerDocument);
        var restored = new UidlLedger(JsonSerializer.Deserialize(json, ArchiveJson.Readable.LedgerDocument)!);

        Assert.Contains("\"highWaterMark\": \"u1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"outcome\": \"succeeded\"", json, StringComparison.Ordinal);
        Assert.True(restored.Contains("u1"));
        Assert.Equal("u1", restored.HighWaterMark);
        Assert.Equal(42, restored.Totals.BytesStored);
        Assert.Equal(RunOutcome.Succeeded, restored.LastRun!.Outcome);
    }
}
