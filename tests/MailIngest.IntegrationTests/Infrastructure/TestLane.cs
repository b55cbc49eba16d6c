namespace MailIngest.IntegrationTests.Infrastructure;

/// <summary>
/// The fast lane (<c>scripts/test.sh --fast</c>, docs/testing.md) runs unit and replay tests: no server, no process.
/// Every helper here that starts a process asks <see cref="RequireIntegration"/> first, so a test that starts one
/// without being in the integration lane fails there, saying how to move it, rather than slipping in unnoticed.
/// </summary>
public static class TestLane
{
    /// <summary>The trait that keeps a test class of a fast-lane project out of the fast lane: <c>[Trait(TestLane.Category, TestLane.Integration)]</c>.</summary>
    public const string Category = "Category";

    public const string Integration = "Integration";

    /// <summary>Set to <c>fast</c> by <c>scripts/test.sh --fast</c>.</summary>
    public const string Variable = "MAILINGEST_TEST_LANE";

    /// <exception cref="InvalidOperationException">In the fast lane.</exception>
    public static void RequireIntegration(string what)
    {
        if (Environment.GetEnvironmentVariable(Variable) == "fast")
        {
            throw new InvalidOperationException(
                $"This test starts {what}, which the fast lane never does: mark it or its class [Trait(\"{Category}\", \"{Integration}\")], " +
                "or move it to tests/MailIngest.IntegrationTests (docs/testing.md, Lanes).");
        }
    }
}
