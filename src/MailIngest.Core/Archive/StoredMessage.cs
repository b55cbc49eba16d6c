namespace MailIngest.Archive;

/// <summary>Where one message ended up: its message folder, or quarantine when it could not be decoded.</summary>
internal sealed record StoredMessage(string Key, string Folder, bool Quarantined, long Size, string Sha256);
