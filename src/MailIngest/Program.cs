using MailIngest.Host.Cli;

return await MailIngestCli.Create().Parse(args).InvokeAsync();
