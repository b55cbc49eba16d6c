using System.Diagnostics.CodeAnalysis;
using MailIngest.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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

    /// <summary>
    /// Declares <typeparamref name="TOptions"/> the options of the section at <paramref name="sectionPath"/>
    /// (<see cref="AddMailIngestSection{TOptions}"/>), checked with <typeparamref name="TValidator"/> at start.
    /// </summary>
    /// <returns>
    /// The options' builder, which the caller binds to the section: the binding is generated at compile time for the
    /// options' own type, which a generic method like this one does not know (docs/architecture.md, "The build").
    /// </returns>
    public static OptionsBuilder<TOptions> AddMailIngestOptions<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(
        this IServiceCollection services, string sectionPath)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddMailIngestSection<TOptions>(sectionPath);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.AddSingleton(ValidatedAtStart.Of<TOptions>());
        return services.AddOptions<TOptions>();
    }
}
