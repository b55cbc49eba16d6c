using System.CommandLine;
using MailIngest.Host.Cli;

// SIGTERM and Ctrl+C cancel the verb's token; a verb gets this long to stop cleanly before the process ends anyway.
return await MailIngestCli.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
