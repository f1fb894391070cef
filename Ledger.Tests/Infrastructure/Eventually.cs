namespace Ledger.Tests.Infrastructure;

/// <summary>Waits for something the system does on its own time (an expiry, a take-over, a schedule) by asking again, never by a fixed sleep.</summary>
public static class Eventually
{
    /// <summary>Asks until <paramref name="condition"/> holds; fails the test with <paramref name="because"/> once <paramref name="deadline"/> has passed.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, DateTimeOffset deadline, Func<string> because)
    {
        while (!await condition())
        {
            DateTimeOffset.UtcNow.ShouldBeLessThan(deadline, because());
            await Task.Delay(100);
        }
    }
}
