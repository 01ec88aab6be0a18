namespace SampleSite.Services;

/// <summary>
/// The latest statuses posted on this server (at most <see cref="Capacity"/>, newest first): the timeline's state,
/// which a page draws when it loads and fetches again when its stream says events may have been missed. Kept in this
/// process's memory, as a sample's state; a real site reads its own store.
/// </summary>
public sealed class RecentStatuses
{
    /// <summary>How many statuses are kept.</summary>
    public const int Capacity = 50;

    private readonly LinkedList<Status> _statuses = new();
    private readonly Lock _gate = new();

    /// <summary>Keeps <paramref name="status"/> as the newest, dropping the oldest beyond <see cref="Capacity"/>.</summary>
    public void Add(Status status)
    {
        lock (_gate)
        {
            _statuses.AddFirst(status);
            if (_statuses.Count > Capacity)
            {
                _statuses.RemoveLast();
            }
        }
    }

    /// <summary>The kept statuses, newest first.</summary>
    public IReadOnlyList<Status> Latest()
    {
        lock (_gate)
        {
            return [.. _statuses];
        }
    }
}

/// <summary>One posted status, as the <c>status</c> event carries it.</summary>
/// <param name="User">Who posted it.</param>
/// <param name="Text">What they said.</param>
/// <param name="Time">When the server took it.</param>
public sealed record Status(string User, string Text, DateTimeOffset Time);
