using MailKit;
using MailKit.Net.Imap;

namespace MailIngest.Imap;

/// <summary>
/// MailKit's IMAP client with folders that hand the bytes of a fetched message to a stream of the caller's choosing
/// rather than to memory (MailKit's own <c>CreateStream</c> keeps each message whole in a memory stream).
/// </summary>
internal sealed class SpoolingImapClient(IProtocolLogger logger) : ImapClient(logger)
{
    protected override ImapFolder CreateImapFolder(ImapFolderConstructorArgs args) => new SpoolingImapFolder(args);
}

/// <summary>An IMAP folder whose fetched sections go to <see cref="Streams"/> while it is set.</summary>
internal sealed class SpoolingImapFolder(ImapFolderConstructorArgs args) : ImapFolder(args)
{
    /// <summary>
    /// Gives the stream for a section being fetched (its UID, when the server sent it before the section, and the
    /// section's name: "" for the whole message, "HEADER" for its header), or null for MailKit's own memory stream.
    /// </summary>
    public Func<UniqueId?, string, Stream?>? Streams { get; set; }

    protected override Stream CreateStream(UniqueId? uid, string section, int offset, int length) =>
        Streams?.Invoke(uid, section) ?? base.CreateStream(uid, section, offset, length);
}
