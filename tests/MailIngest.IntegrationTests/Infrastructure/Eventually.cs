namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>Waits for a condition that a running process will make true, failing with a description when it does not in time.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {timeout}: {what}");
            }

            await Task.Delay(200);
        }
    }
}
