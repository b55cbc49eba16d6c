namespace MailIngest.Events;

/// <summary>Where events wait in the archive (docs/storage.md, "Storage layout").</summary>
internal static class OutboxLayout
{
    public const string ContentType = "application/cloudevents+json; charset=utf-8";

    /// <summary><c>outbox/{mailbox}/{id}.json</c>: the event's ID alone names it, so writing it again replaces it.</summary>
    public static string EventPath(string mailbox, string id) => $"outbox/{mailbox}/{id}.json";
}
