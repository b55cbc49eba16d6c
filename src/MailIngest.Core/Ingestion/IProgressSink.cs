namespace MailIngest.Ingestion;

/// <summary>Receives a run's progress as it goes, for a progress display on a terminal or periodic progress log lines.</summary>
public interface IProgressSink
{
    /// <summary>A session decided what to fetch: <paramref name="messages"/> messages, <paramref name="bytes"/> bytes by the server's listing.</summary>
    void Planned(string mailbox, int messages, long bytes);

    /// <summary>One more message is stored; <paramref name="bytes"/> is its raw size.</summary>
    void Stored(string mailbox, long bytes);

    /// <summary>The run is over, however it ended.</summary>
    void Finished(string mailbox);
}
