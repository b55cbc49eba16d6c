using System.Globalization;
using System.Text.Json;
using MailIngest.Archive;
using MailIngest.Decoding;
using MailIngest.Events;
using MailIngest.Ingestion;
using MailIngest.Ledger;
using Microsoft.Extensions.Logging;

namespace MailIngest.Reprocessing;

/// <summary>The services every reprocess shares; a <see cref="ReprocessPass"/> holds them beside its own state.</summary>
internal sealed record ReprocessServices(
    IMailArchive Archive,
    LedgerStore Ledgers,
    MessageDecoder Decoder,
    IIngestObserver Observer,
    IProgressSink Progress,
    IReadOnlyList<IReprocessedMessageSink> Sinks,
    TimeProvider Time,
    ILogger Logger)
{
    /// <summary>The event port; none unless a sink is configured (docs/events.md).</summary>
    public IMessageEvents Events { get; init; } = NoMessageEvents.Instance;
}

/// <summary>
/// One reprocess of one mailbox, under its lock: what is asked, what is counted, and the steps every message shares
/// (examine, decode, report). <see cref="StoredMessageRewrite"/> and <see cref="QuarantineDrain"/> do the rest.
/// </summary>
internal sealed class ReprocessPass
{
    private readonly IMailboxLock _mailboxLock;

    /// <summary>Told of each change: the event's sink when events are on (it records in this pass's ledger), then the registered ones.</summary>
    private readonly IReadOnlyList<IReprocessedMessageSink> _sinks;

    private MailboxLedger? _ledger;

    public ReprocessPass(ReprocessServices services, string mailbox, ReprocessRequest request, IMailboxLock mailboxLock, ReprocessCounters counters)
    {
        ArgumentNullException.ThrowIfNull(services);
        (Services, Mailbox, Request, Counters, _mailboxLock) = (services, mailbox, request, counters, mailboxLock);
        Selection = new ReprocessSelection(mailbox, request);
        SpoolFolder = Path.Combine(services.Archive.SpoolFolder, mailbox);
        Contents = new MessageContentWriter(services.Archive);
        _sinks = services.Events.Enabled ? [new ReprocessedEvents(this), .. services.Sinks] : services.Sinks;
    }

    public ReprocessServices Services { get; }

    public string Mailbox { get; }

    public ReprocessRequest Request { get; }

    public ReprocessCounters Counters { get; }

    public ReprocessSelection Selection { get; }

    /// <summary>The mailbox's spool folder, for the copies of raw messages the decoder or the store needs as files.</summary>
    public string SpoolFolder { get; }

    public MessageContentWriter Contents { get; }

    public IMailArchive Archive => Services.Archive;

    /// <summary>
    /// The mailbox's ledger, loaded once the pass first needs it. Everything the pass records goes through this one
    /// instance (the drain's entries, the events' records): each journal append is conditioned on the length its
    /// ledger last read or wrote, so a second instance would make the first one's next append fail.
    /// </summary>
    public async Task<MailboxLedger> LedgerAsync(CancellationToken cancellationToken) =>
        _ledger ??= await Services.Ledgers.LoadAsync(Mailbox, cancellationToken);

    /// <summary>
    /// Examines one message: <paramref name="work"/> decides and does what it needs. A fault of this message alone (its
    /// raw bytes missing, a record that does not parse, a stored message that no longer decodes) is counted and logged,
    /// and the pass goes on; a failure of the store ends the pass.
    /// </summary>
    public async Task ExamineAsync(string folder, Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ThrowIfLockLost();
        Counters.Examined();
        try
        {
            await work();
        }
        catch (UnusableMessageException e)
        {
            Failed(folder, e.Message);
        }

        Services.Progress.Stored(Mailbox, 0);
    }

    /// <summary>Counts and logs a message that could not be reprocessed; it is left as it is.</summary>
    public void Failed(string folder, string error)
    {
        Counters.Failed(folder, error);
        Log.NotReprocessed(Services.Logger, Mailbox, folder, error);
    }

    /// <summary>Reads a JSON object of the archive, turning one that does not parse into this message's fault.</summary>
    public static async Task<T?> ReadJsonAsync<T>(Task<T?> reading, string path)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(reading);
        try
        {
            return await reading;
        }
        catch (JsonException e)
        {
            throw new UnusableMessageException($"{path} is not valid: {e.Message} It is left as it is; restore it from a backup.");
        }
    }

    /// <summary>
    /// A lost lock means another worker may be running this mailbox now: checked before each message, and before each
    /// ledger write and deletion, which must not come from a holder whose lease may have ended.
    /// </summary>
    public void ThrowIfLockLost()
    {
        if (!_mailboxLock.IsHeld)
        {
            throw new MailboxLockLostException(Mailbox);
        }
    }

    public void ObjectWritten(string uidl) => Services.Observer.OnStep(Mailbox, IngestStep.ReprocessObjectWritten, uidl);

    public void ManifestWritten(string uidl) => Services.Observer.OnStep(Mailbox, IngestStep.ReprocessManifestWritten, uidl);

    /// <summary>Counts a change, and logs what a dry run would do; true when the change is to be made (not a dry run).</summary>
    public bool Changing(ReprocessChange change, string folder, IReadOnlyList<string> toWrite, IReadOnlyList<string> toDelete)
    {
        Counters.Count(change);
        if (!Request.DryRun)
        {
            return true;
        }

        Log.WouldReprocess(Services.Logger, Mailbox, folder, change, new ObjectNames(toWrite), new ObjectNames(toDelete));
        return false;
    }

    /// <summary>Logs a change that is complete, and tells the sinks (the events).</summary>
    public async Task ChangedAsync(ReprocessedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Log.Reprocessed(Services.Logger, Mailbox, message.Folder, message.Change, new ObjectNames(message.Written), new ObjectNames(message.Deleted));
        foreach (var sink in _sinks)
        {
            await sink.ReprocessedAsync(message, cancellationToken);
        }
    }
}

/// <summary>A fault of one message that leaves it as it is (its raw bytes missing, its record corrupt); the pass goes on.</summary>
internal sealed class UnusableMessageException(string message) : Exception(message);

/// <summary>Object names for a log line, joined only when the line is written: a message of 1,500 parts must not make one of 1,500 names.</summary>
internal readonly record struct ObjectNames(IReadOnlyList<string> Paths)
{
    private const int Shown = 5;

    public override string ToString() => Paths.Count switch
    {
        0 => "nothing",
        <= Shown => string.Join(", ", Paths),
        _ => string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", Paths.Take(Shown))} and {Paths.Count - Shown} more"),
    };
}
