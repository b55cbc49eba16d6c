using MailIngest.Host.Cli;

return await MailIngestCli.InvokeAsync(args);
