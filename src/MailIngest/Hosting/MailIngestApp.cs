using MailIngest.Archive;
using MailIngest.Configuration;
using MailIngest.Host.Scheduling;
using MailIngest.Ingestion;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace MailIngest.Host.Hosting;

/// <summary>
/// The composed application: configuration (file, then environment), validated settings, and the services of every
/// project; for <c>mailingest run</c> in a generic host that it runs, for the other verbs in a service provider they
/// take services from.
/// </summary>
internal sealed class MailIngestApp : IAsyncDisposable
{
    /// <summary>What the services live in, and what disposing the application disposes: the host (<c>run</c>) or the provider.</summary>
    private readonly IAsyncDisposable _owner;

    private MailIngestApp(IServiceProvider services, IAsyncDisposable owner)
    {
        (Services, _owner) = (services, owner);

        // Unknown keys first (UnknownKeysValidator runs when the sections are resolved): the strict bind of the mailboxes
        // would otherwise report only the first one, without saying where it was set or what was meant.
        _ = services.GetRequiredService<IOptions<MailIngestSections>>().Value;

        // Every options class validated at start, now: verbs that never start the host need the check too.
        ValidatedAtStart.ReadAll(services);
        Options = services.GetRequiredService<IOptions<MailIngestOptions>>().Value;
        Telemetry.Activate(services);
    }

    public IServiceProvider Services { get; }

    public MailIngestOptions Options { get; }

    /// <summary>
    /// Builds the application, or writes every configuration error to standard error and returns false.
    /// <paramref name="schedule"/> adds the scheduler of <c>mailingest run</c>, and with it the host that runs it; the
    /// settings' extra services come last, so they replace what they register again.
    /// </summary>
    public static bool TryStart(
        AppSettings settings,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MailIngestApp? app,
        Action<IHostApplicationBuilder>? schedule = null)
    {
        app = null;
        IAsyncDisposable? owner = null;
        try
        {
            var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            var configuration = LoadConfiguration(settings.ConfigFile);
            builder.Configuration.AddConfiguration(configuration);
            builder.Services.AddSingleton<IValidateOptions<MailIngestSections>>(new UnknownKeysValidator(configuration));
            AddServices(builder, settings);
            builder.AddMailIngestTelemetry();
            schedule?.Invoke(builder);
            settings.ExtraServices?.Invoke(builder.Services);
            if (schedule is null)
            {
                // A verb that never runs the host does not make it, nor the generic services of its lifetime, which the
                // compiled program would build at every start (docs/architecture.md, "The build").
                var provider = builder.Services.BuildServiceProvider();
                owner = provider;
                app = new MailIngestApp(provider, provider);
            }
            else
            {
                var host = builder.Build();
                owner = (IAsyncDisposable)host;
                app = new MailIngestApp(host.Services, owner);
            }

            return true;
        }
        catch (Exception e) when (ConfigurationErrors(e) is { } errors)
        {
            (owner as IDisposable)?.Dispose();
            Console.Error.WriteLine("Configuration error:");
            foreach (var error in errors)
            {
                Console.Error.WriteLine($"  - {error}");
            }

            return false;
        }
    }

    /// <summary>Runs the host's services (the scheduler) until <paramref name="cancellationToken"/> asks it to stop.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        (_owner as IHost ?? throw new InvalidOperationException("Only an application started with a schedule has a host to run.")).RunAsync(cancellationToken);

    public ValueTask DisposeAsync() => _owner.DisposeAsync();

    /// <summary><c>--config FILE</c> replaces ./appsettings.json; environment variables (<c>MailIngest__…</c>) override either.</summary>
    private static IConfigurationRoot LoadConfiguration(FileInfo? configFile)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is null)
        {
            builder.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true);
        }
        else if (!configFile.Exists)
        {
            throw new FileNotFoundException($"The configuration file {configFile.FullName} does not exist.");
        }
        else
        {
            builder.AddJsonFile(configFile.FullName, optional: false);
        }

        return builder.AddEnvironmentVariables().Build();
    }

    private static void AddServices(IHostApplicationBuilder builder, AppSettings settings)
    {
        var (services, configuration, logFormat) = (builder.Services, builder.Configuration, settings.LogFormat);
        services.AddLogging(logging =>
        {
            logging.AddConfiguration(configuration.GetSection("Logging"));
            if (logFormat == LogFormat.Json)
            {
                logging.AddJsonConsole(o =>
                {
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                });
            }
            else
            {
                logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                });
            }

            // Standard output carries the run summaries; every log line goes to standard error.
            logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        services.AddSingleton<IProgressSink, ProgressReporter>();
        services.AddMailIngestion(configuration);
        var protocolLog = ProtocolLogPath(settings.ProtocolLog);
        services.AddPop3Mailboxes(protocolLog);
        services.AddImapMailboxes(protocolLog);
        services.AddMailArchive(configuration);
        services.AddMailEvents(configuration);

        // Only `run` schedules, but every verb reads the same configuration: its Scheduler section is known (and checked) by all.
        services.AddMailIngestSection<SchedulerOptions>(SchedulerOptions.SectionName);
    }

    /// <summary>Checked at start like the settings, rather than failing the first session when the file cannot be created.</summary>
    private static string? ProtocolLogPath(FileInfo? protocolLog) =>
        protocolLog is null || protocolLog.Directory is { Exists: true }
            ? protocolLog?.FullName
            : throw new InvalidDataException($"--protocol-log: the folder {protocolLog.DirectoryName} does not exist; create it or name a file in an existing folder.");

    private static IEnumerable<string>? ConfigurationErrors(Exception e) => e switch
    {
        OptionsValidationException v => v.Failures,
        // The start-up validator reports every invalid options class at once.
        AggregateException all when all.InnerExceptions.All(inner => inner is OptionsValidationException) =>
            all.InnerExceptions.Cast<OptionsValidationException>().SelectMany(inner => inner.Failures),
        FileNotFoundException or InvalidDataException or FormatException => [e.Message],
        InvalidOperationException when SpeaksOfConfiguration(e) => [BindingError(e)],
        _ => null,
    };

    private static bool SpeaksOfConfiguration(Exception e) => e.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// What the binder found (a value of the wrong type, a misspelt key): the innermost of its exceptions that speaks of
    /// the configuration names the key ("Failed to convert configuration value at 'MailIngest:…:Port'…"), and the one
    /// it wraps, if any, says what was wrong with the value ("The input string 'abc' was not in a correct format.").
    /// </summary>
    private static string BindingError(Exception e)
    {
        while (e.InnerException is { } inner && SpeaksOfConfiguration(inner))
        {
            e = inner;
        }

        return $"{e.Message}{(e.InnerException is { } cause ? " " + cause.Message : "")} docs/configuration.md lists every key and its values.";
    }
}
