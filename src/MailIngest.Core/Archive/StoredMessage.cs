namespace MailIngest.Archive;

/// <summary>Where one message ended up: its message folder, or quarantine when it could not be decoded.</summary>
internal sealed record StoredMessage(string Key, string Folder, bool Quarantined, long Size, string Sha256)
{
    /// <summary>The manifest as stored (a stored message), for the event about it (docs/events.md).</summary>
    public MessageManifest? Manifest { get; init; }

    /// <summary>The quarantine record as stored (a quarantined message), for the event about it.</summary>
    public QuarantineRecord? Record { get; init; }
}
