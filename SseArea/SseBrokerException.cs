namespace SseArea;

/// <summary>
/// The broker could not take an event or a subscription (for example Redis is unreachable).
/// Nothing is dropped silently: a publish that did not reach the broker throws this.
/// </summary>
public sealed class SseBrokerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SseBrokerException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SseBrokerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the broker's own error.</summary>
    public SseBrokerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
