using MailIngest.Ingestion;

namespace MailIngest.Core.Tests.Fakes;

/// <summary>A progress sink that shows nothing.</summary>
internal sealed class NoProgress : IProgressSink
{
    public void Planned(string mailbox, int messages, long bytes)
    {
    }

    public void Stored(string mailbox, long bytes)
    {
    }

    public void Finished(string mailbox)
    {
    }
}
