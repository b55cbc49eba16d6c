using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MailIngest.Configuration;

/// <summary>
/// An options class read, and so validated, when the application starts rather than when a service first asks for it
/// (<c>AddMailIngestOptions</c>). It is read as <see cref="IOptions{TOptions}"/>, as the services read it: the
/// framework's <c>ValidateOnStart</c> reads it through <see cref="IOptionsMonitor{TOptions}"/>, whose generic types the
/// compiled program builds at run time, at every start, for that check alone (docs/architecture.md, "The build").
/// </summary>
public sealed class ValidatedAtStart
{
    private readonly Action<IServiceProvider> _read;

    private ValidatedAtStart(Action<IServiceProvider> read) => _read = read;

    public static ValidatedAtStart Of<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>()
        where TOptions : class =>
        new(services => _ = services.GetRequiredService<IOptions<TOptions>>().Value);

    /// <summary>Reads every options class registered to be validated at start, and reports every invalid one at once.</summary>
    /// <exception cref="AggregateException">Of each class's <see cref="OptionsValidationException"/>.</exception>
    public static void ReadAll(IServiceProvider services)
    {
        var failures = new List<OptionsValidationException>();
        foreach (var options in services.GetServices<ValidatedAtStart>())
        {
            try
            {
                options._read(services);
            }
            catch (OptionsValidationException e)
            {
                failures.Add(e);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException(failures);
        }
    }
}
