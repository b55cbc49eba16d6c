using MailIngest.IntegrationTests.Infrastructure;
using MailIngest.Ledger;

namespace MailIngest.IntegrationTests.Reliability;

/// <summary>
/// Issue #12, item 1: messages recorded by <c>mailingest adopt</c> are seen, never stored, so a delete-mode run must
/// never delete them; mail that arrives after the adoption is stored and deleted as usual.
/// </summary>
public abstract class AdoptThenDeleteTests(StoreKind store) : MailboxTest("adopter", store)
{
    private const int History = 20;

    [Fact]
    public async Task Once_DeleteModeAfterAdopt_DeletesNothingAdoptedAndStoresWhatCameLater()
    {
        for (var n = 1; n <= History; n++)
        {
            await Dovecot.DeliverAsync(User, TestMail.Numbered(n));
        }

        Configure(new { DeleteAfterIngest = true });
        var adopt = await Workspace.RunVerbAsync("adopt", "--mailbox", User);
        Assert.True(adopt.ExitCode == 0, adopt.ToString());

        var plan = await Workspace.RunVerbAsync("plan", "--json");
        Assert.Contains("\"delete\": 0", plan.Stdout, StringComparison.Ordinal);

        var first = await Workspace.OnceAsync();
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains($"{User}: ok, new 0, stored 0, quarantined 0, deleted 0", first.Stdout, StringComparison.Ordinal);
        Assert.Equal(History, Dovecot.MessageCount(User));

        await Dovecot.DeliverAsync(User, TestMail.Numbered(History + 1));
        await Dovecot.DeliverAsync(User, TestMail.Numbered(History + 2));
        var second = await Workspace.OnceAsync();

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains($"{User}: ok, new 2, stored 2, quarantined 0, deleted 2", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(History, Dovecot.MessageCount(User));
        Assert.Equal(2, Workspace.Manifests().Count);
        Assert.Equal(History, Workspace.Ledger(User)!.Entries().Count(e => e.State == EntryState.Seen));
    }
}

public sealed class AdoptThenDeleteOnFileSystemTests() : AdoptThenDeleteTests(StoreKind.FileSystem);

public sealed class AdoptThenDeleteOnAzureBlobTests() : AdoptThenDeleteTests(StoreKind.AzureBlob);
