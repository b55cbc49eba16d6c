using System.CodeDom.Compiler;
using System.Reflection;
using System.Runtime.CompilerServices;
using MailIngest.Ingestion;
using Microsoft.Extensions.Logging;

namespace MailIngest.Architecture;

/// <summary>
/// No method or constructor in MailIngest.Core takes more than <see cref="MaxParameters"/> parameters: state that travels
/// together goes in one object (a run's in <c>MailboxRun</c>, its services in <c>RunServices</c>), as issue #13 asks.
/// </summary>
/// <remarks>
/// Not counted: what the compiler or a source generator writes (lambdas, local functions, the JSON and regex
/// generators' code), the constructors of records (their parameters are the record's properties, and a record is
/// itself the parameter object), and <c>[LoggerMessage]</c> methods (one parameter per placeholder of a flat message).
/// </remarks>
public sealed class ParameterCountTests
{
    private const int MaxParameters = 5;

    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void CoreMethods_TakeAtMostFiveParameters()
    {
        var offenders = typeof(IMailboxRunner).Assembly.GetTypes()
            .Where(type => !IsGenerated(type) && !typeof(Delegate).IsAssignableFrom(type))
            .SelectMany(type => type.GetMethods(Declared).Cast<MethodBase>()
                .Concat(type.GetConstructors(Declared).Where(_ => !IsRecord(type))))
            .Where(method => !IsGenerated(method) && method.GetCustomAttribute<LoggerMessageAttribute>() is null)
            .Where(method => method.GetParameters().Length > MaxParameters)
            .Select(method => $"{method.DeclaringType!.FullName}.{method.Name}({method.GetParameters().Length} parameters)")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(offenders.Count == 0, "Take a parameter object instead: " + string.Join(", ", offenders));
    }

    private static bool IsGenerated(MemberInfo member)
    {
        for (var current = member; current is not null; current = current.DeclaringType)
        {
            if (current.IsDefined(typeof(CompilerGeneratedAttribute)) || current.IsDefined(typeof(GeneratedCodeAttribute)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A record class has the compiler's <c>&lt;Clone&gt;$</c>; a record struct its compiler-written <c>PrintMembers</c>.</summary>
    private static bool IsRecord(Type type) =>
        type.GetMethod("<Clone>$", Declared) is not null
        || (type.IsValueType && type.GetMethod("PrintMembers", Declared) is { } print && print.IsDefined(typeof(CompilerGeneratedAttribute)));
}
