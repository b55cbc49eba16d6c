using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailIngest.Imap;

/// <summary>
/// What an IMAP mailbox's ledger remembers between sessions (<see cref="Sources.IMailSession.SourceState"/>): for each
/// folder, its UIDVALIDITY, UIDNEXT and message count as of a listing whose every message the ledger knows. A folder whose
/// STATUS still shows the same three numbers has neither gained nor lost a message since, so its listing is the ledger's
/// own entries, and a poll without new mail is one STATUS per folder (docs/imap.md).
/// </summary>
internal static class ImapSourceState
{
    public static IReadOnlyDictionary<string, FolderState> Parse(string? state)
    {
        if (string.IsNullOrEmpty(state))
        {
            return new Dictionary<string, FolderState>(StringComparer.Ordinal);
        }

        try
        {
            var folders = JsonSerializer.Deserialize(state, ImapStateJson.Default.ListFolderState) ?? [];
            return folders.ToDictionary(f => f.Folder, StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            // A state this version cannot read is no state: the folders are listed in full, which is always right.
            return new Dictionary<string, FolderState>(StringComparer.Ordinal);
        }
    }

    /// <summary>The state to remember, or null when no folder's state is known well enough to be remembered.</summary>
    public static string? Format(IEnumerable<FolderState> folders)
    {
        var list = folders.ToList();
        return list.Count == 0 ? null : JsonSerializer.Serialize(list, ImapStateJson.Default.ListFolderState);
    }
}

/// <summary>One folder as of a listing.</summary>
/// <param name="Folder">The folder's full name.</param>
/// <param name="UidValidity">Its UIDVALIDITY.</param>
/// <param name="UidNext">Its UIDNEXT: every message it held had a lower UID, every later one gets this or a higher one.</param>
/// <param name="Messages">How many messages it held.</param>
/// <param name="Unlisted">
/// How many of them the listing left out because they are one message with one listed before (Gmail labels, by
/// X-GM-MSGID): the ledger knows the other messages, <see cref="Messages"/> minus these.
/// </param>
internal sealed record FolderState(string Folder, uint UidValidity, uint UidNext, int Messages, int Unlisted = 0);

[JsonSerializable(typeof(List<FolderState>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
internal sealed partial class ImapStateJson : JsonSerializerContext;
