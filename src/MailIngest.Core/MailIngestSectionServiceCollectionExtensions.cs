using MailIngest.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

public static class MailIngestSectionServiceCollectionExtensions
{
    /// <summary>
    /// Declares that the configuration at <paramref name="sectionPath"/> (<c>MailIngest</c> or <c>MailIngest:KEY</c>)
    /// binds to <typeparamref name="TOptions"/>, so that its keys, and no others, are accepted there at start.
    /// </summary>
    public static IServiceCollection AddMailIngestSection<TOptions>(this IServiceCollection services, string sectionPath)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(sectionPath);
        var parts = sectionPath.Split(':');
        if (parts[0] != MailIngestOptions.SectionName || parts.Length > 2)
        {
            throw new ArgumentException($"'{sectionPath}' is neither {MailIngestOptions.SectionName} nor a key directly under it.", nameof(sectionPath));
        }

        return services.Configure<MailIngestSections>(sections => sections.Add(sectionPath, typeof(TOptions)));
    }
}
