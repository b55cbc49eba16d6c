using MailIngest.Sources;

namespace MailIngest.Ingestion;

/// <summary>
/// Opens a run's sessions, the first one ahead when <paramref name="early"/>: it connects and logs in while the run
/// reads the ledger, since neither needs the other and each takes about a third of a no-new poll (bench/README.md).
/// The run's first attempt takes that session (or its failure, handled as the attempt's own); a run that ends before
/// that closes it unused, without a QUIT, so the server changes nothing.
/// </summary>
internal sealed class SessionOpener(Func<Task<IMailSession>> open, bool early) : IAsyncDisposable
{
    private Task<IMailSession>? _ahead = early ? Task.Run(open) : null;

    public Task<IMailSession> OpenAsync() => Interlocked.Exchange(ref _ahead, null) ?? open();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _ahead, null) is not { } ahead)
        {
            return;
        }

        try
        {
            await (await ahead).DisposeAsync();
        }
        catch (Exception)
        {
            // The run ended for its own reason before it needed this session: how the session failed tells nothing more,
            // and must not hide that reason.
        }
    }
}
