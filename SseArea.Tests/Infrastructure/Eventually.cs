namespace SseArea.Tests.Infrastructure;

/// <summary>
/// Waits for a condition that becomes true asynchronously (a listener leaving, a Redis unsubscribe).
/// Every wait fails the test with what it waited for when its deadline passes; none returns quietly.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Checks <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
        => AcceptedAsync(condition, holds => holds, what, timeout);

    /// <summary>
    /// Asks <paramref name="get"/> until <paramref name="accept"/> takes its answer, and returns that
    /// answer; fails with <paramref name="what"/> and the last answer after the timeout.
    /// </summary>
    public static async Task<T> AcceptedAsync<T>(Func<Task<T>> get, Func<T, bool> accept, string what, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            var answer = await get();
            if (accept(answer))
            {
                return answer;
            }

            if (deadline.IsCancellationRequested)
            {
                Assert.Fail(answer is bool ? $"Timed out waiting until {what}." : $"Timed out waiting until {what}; the last answer was {Describe(answer)}.");
            }

            // A short poll interval: each check is cheap and the wait ends as soon as it holds.
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private static string Describe<T>(T answer) => answer switch
    {
        null => "null",
        string text => $"'{text}'",
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>()) + "]",
        _ => answer.ToString() ?? string.Empty,
    };
}
