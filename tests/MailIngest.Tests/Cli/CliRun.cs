using MailIngest.Host.Cli;

namespace MailIngest.Tests.Cli;

/// <summary>Runs the <c>mailingest</c> command line in-process and captures what it writes.</summary>
internal static class CliRun
{
    // Console is process-wide; the test classes that capture it share one collection so they never run in parallel.
    public const string Collection = "Console";

    public static async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var exitCode = await MailIngestCli.Create().Parse(args).InvokeAsync();
            return (exitCode, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}
