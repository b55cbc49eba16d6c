using MailIngest.Configuration;
using MailIngest.Ingestion;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using MailIngest.Storage;

namespace MailIngest.Host.Hosting;

/// <summary>The composed application: configuration (file, then environment), validated settings, and the services of every project.</summary>
internal sealed class MailIngestApp : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private MailIngestApp(ServiceProvider services)
    {
        _services = services;
        Options = services.GetRequiredService<IOptions<MailIngestOptions>>().Value;
        _ = services.GetRequiredService<IOptions<StorageOptions>>().Value;
    }

    public IServiceProvider Services => _services;

    public MailIngestOptions Options { get; }

    /// <summary>Builds the application, or writes every configuration error to standard error and returns false.</summary>
    public static bool TryStart(AppSettings settings, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MailIngestApp? app)
    {
        app = null;
        ServiceProvider? services = null;
        try
        {
            var configuration = LoadConfiguration(settings.ConfigFile);
            services = BuildServices(configuration, settings.LogFormat);
            app = new MailIngestApp(services);
            return true;
        }
        catch (Exception e) when (ConfigurationErrors(e) is { } errors)
        {
            services?.Dispose();
            Console.Error.WriteLine("Configuration error:");
            foreach (var error in errors)
            {
                Console.Error.WriteLine($"  - {error}");
            }

            return false;
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

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

    private static ServiceProvider BuildServices(IConfiguration configuration, LogFormat logFormat)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.AddConfiguration(configuration.GetSection("Logging"));
            if (logFormat == LogFormat.Json)
            {
                logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
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
        services.AddMailIngestion(configuration);
        services.AddPop3Mailboxes();
        services.AddMailArchive(configuration);
        if (FaultInjection.FromEnvironment() is { } faults)
        {
            services.AddSingleton<IIngestObserver>(faults);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static IEnumerable<string>? ConfigurationErrors(Exception e) => e switch
    {
        OptionsValidationException v => v.Failures,
        FileNotFoundException or InvalidDataException or FormatException => [e.Message],
        // The binder wraps what it found (a value of the wrong type, a misspelt key) in a generic message.
        InvalidOperationException when e.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase) =>
            [$"{(e.InnerException ?? e).Message} See the README's Configuration table for the keys and their values."],
        _ => null,
    };
}
