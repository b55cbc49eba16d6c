using MailIngest.Host.Cli;
using MailIngest.TestHost;

return await MailIngestCli.InvokeAsync(args, FaultInjection.AddFromEnvironment);
