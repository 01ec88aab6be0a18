namespace SseArea.Tests.Infrastructure;

/// <summary>Waits for a condition that becomes true asynchronously (a listener leaving, a Redis unsubscribe).</summary>
internal static class Eventually
{
    /// <summary>Checks <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            // A short poll interval: each check is cheap and the wait ends as soon as it holds.
            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Asks <paramref name="get"/> until its answer satisfies <paramref name="accept"/>; returns the last answer.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> get, Func<T, bool> accept, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await get();
            if (accept(value) || deadline.IsCancellationRequested)
            {
                return value;
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }
}
