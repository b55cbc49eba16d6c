using Microsoft.Extensions.Logging;

namespace MailIngest;

/// <summary>Every log line the core writes, by source generator: stable event IDs, structured placeholders, no secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "{Mailbox}: another worker holds the mailbox lock; skipping this run")]
    public static partial void MailboxLocked(ILogger logger, string mailbox);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "{Mailbox}: {OnServer} messages on the server, {New} new, fetching {Fetching} ({Bytes} bytes)")]
    public static partial void Planned(ILogger logger, string mailbox, int onServer, int @new, int fetching, long bytes);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "{Mailbox}: stored {Id} as {Folder}")]
    public static partial void MessageStored(ILogger logger, string mailbox, string id, string folder);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "{Mailbox}: budget reached ({Budget}); {Remaining} new messages left for the next run")]
    public static partial void BudgetReached(ILogger logger, string mailbox, string budget, int remaining);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "{Mailbox}: ledger written, {Entries} entries")]
    public static partial void LedgerFlushed(ILogger logger, string mailbox, int entries);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "{Mailbox}: deleting {Count} stored messages from the server")]
    public static partial void Deleting(ILogger logger, string mailbox, int count);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "{Mailbox}: run failed: {Error}")]
    public static partial void RunFailed(ILogger logger, string mailbox, string error, Exception exception);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "{Mailbox}: could not record the failed run in the ledger: {Error}")]
    public static partial void RunRecordFailed(ILogger logger, string mailbox, string error);

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "{Mailbox}: message {Uidl} could not be decoded and was quarantined: {Error}")]
    public static partial void Quarantined(ILogger logger, string mailbox, string uidl, string error);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "{Mailbox}: the server reused UIDL {Uidl} for a different message; stored it under key {Key}")]
    public static partial void UidlReused(ILogger logger, string mailbox, string uidl, string key);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "{Mailbox}: {Error}; reconnecting in {Delay} (retry {Retry} of {MaxRetries})")]
    public static partial void Retrying(ILogger logger, string mailbox, string error, TimeSpan delay, int retry, int maxRetries);

    [LoggerMessage(EventId = 113, Level = LogLevel.Warning, Message = "{Mailbox}: the circuit opened after repeated failures; attempts fail at once for {BreakDuration}")]
    public static partial void CircuitOpened(ILogger logger, string mailbox, TimeSpan breakDuration);

    [LoggerMessage(EventId = 114, Level = LogLevel.Warning, Message = "{Mailbox}: the server lists UIDL {Uidl} {Copies} times; every copy is fetched")]
    public static partial void DuplicateUidl(ILogger logger, string mailbox, string uidl, int copies);

    [LoggerMessage(EventId = 115, Level = LogLevel.Warning, Message = "{Mailbox}: not deleting the {Copies} copies of UIDL {Uidl}: they were not all stored in this session")]
    public static partial void DuplicateKept(ILogger logger, string mailbox, string uidl, int copies);

    [LoggerMessage(EventId = 116, Level = LogLevel.Warning, Message = "{Mailbox}: message {Uidl}: {Warning}")]
    public static partial void RetrievalWarning(ILogger logger, string mailbox, string uidl, string warning);

    [LoggerMessage(EventId = 117, Level = LogLevel.Information, Message = "{Mailbox}: adopted {Adopted} messages on the server as seen without fetching them; the ledger holds {Entries}")]
    public static partial void Adopted(ILogger logger, string mailbox, int adopted, int entries);

    [LoggerMessage(EventId = 118, Level = LogLevel.Information, Message = "{Mailbox}: the server asks for {LoginDelay} between logins (LOGIN-DELAY); poll it no sooner than {NextPoll:u}")]
    public static partial void LoginDelay(ILogger logger, string mailbox, TimeSpan loginDelay, DateTimeOffset nextPoll);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "{Mailbox}: message {Id} failed (attempt {Attempt} of {MaxAttempts}): {Error}")]
    public static partial void MessageFailed(ILogger logger, string mailbox, string id, int attempt, int maxAttempts, string error);

    [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "{Mailbox}: message {Id} recorded without its bytes: {Error}")]
    public static partial void Unfetched(ILogger logger, string mailbox, string id, string error);

    [LoggerMessage(EventId = 123, Level = LogLevel.Warning, Message = "{Mailbox}: the last run died while handling {Count} messages; each counts one attempt, and each is fetched alone")]
    public static partial void DiedInFlight(ILogger logger, string mailbox, int count);

    [LoggerMessage(EventId = 124, Level = LogLevel.Information, Message = "{Mailbox}: cleared the records of {Count} messages; the next run fetches them again")]
    public static partial void RetryCleared(ILogger logger, string mailbox, int count);

    [LoggerMessage(EventId = 140, Level = LogLevel.Information, Message = "{Mailbox}: reprocessed {Folder} ({Change}): wrote {Written}; deleted {Deleted}")]
    public static partial void Reprocessed(ILogger logger, string mailbox, string folder, Reprocessing.ReprocessChange change, Reprocessing.ObjectNames written, Reprocessing.ObjectNames deleted);

    [LoggerMessage(EventId = 141, Level = LogLevel.Information, Message = "{Mailbox}: dry run: would reprocess {Folder} ({Change}): write {Written}; delete {Deleted}")]
    public static partial void WouldReprocess(ILogger logger, string mailbox, string folder, Reprocessing.ReprocessChange change, Reprocessing.ObjectNames written, Reprocessing.ObjectNames deleted);

    [LoggerMessage(EventId = 142, Level = LogLevel.Debug, Message = "{Mailbox}: {Folder} is as decoding gives it; left untouched")]
    public static partial void ReprocessUnchanged(ILogger logger, string mailbox, string folder);

    [LoggerMessage(EventId = 143, Level = LogLevel.Warning, Message = "{Mailbox}: {Folder} still does not decode and stays in quarantine: {Error}")]
    public static partial void StillQuarantined(ILogger logger, string mailbox, string folder, string error);

    [LoggerMessage(EventId = 144, Level = LogLevel.Error, Message = "{Mailbox}: could not reprocess {Folder}: {Error}")]
    public static partial void NotReprocessed(ILogger logger, string mailbox, string folder, string error);

    [LoggerMessage(EventId = 145, Level = LogLevel.Error, Message = "{Mailbox}: reprocess failed: {Error}")]
    public static partial void ReprocessFailed(ILogger logger, string mailbox, string error, Exception exception);

    [LoggerMessage(EventId = 146, Level = LogLevel.Information, Message = "{Mailbox}: set aside {SetAside} entries of stored messages to match by SHA-256 or by Message-ID and body; the ledger holds {Entries}; the next run fetches the rest again")]
    public static partial void SetAside(ILogger logger, string mailbox, int setAside, int entries);

    [LoggerMessage(EventId = 147, Level = LogLevel.Information, Message = "{Mailbox}: {Id} is {OldId}, stored before the renumbering: recorded under its old key")]
    public static partial void MessageMatched(ILogger logger, string mailbox, string id, string oldId);

    [LoggerMessage(EventId = 148, Level = LogLevel.Information, Message = "{Mailbox}: re-ingest done: every listed message is recorded; the {SetAside} set-aside entries are forgotten")]
    public static partial void ReingestDone(ILogger logger, string mailbox, int setAside);

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "{Mailbox}: stop requested; ending after the messages in hand, {Remaining} new messages left for the next run")]
    public static partial void Stopping(ILogger logger, string mailbox, int remaining);
}
