namespace SampleSite.Services;

/// <summary>
/// The latest statuses posted on this server (at most <see cref="Capacity"/>, newest first): the timeline's state,
/// which a page draws when it loads and fetches again when its stream says events may have been missed. Kept in this
/// process's memory, as a sample's state; a real site reads its own store (with several servers, a status can only be
/// deleted on the server it was posted to).
/// </summary>
public sealed class RecentStatuses
{
    /// <summary>How many statuses are kept.</summary>
    public const int Capacity = 50;

    private readonly LinkedList<Status> _statuses = new();
    private readonly Lock _gate = new();

    /// <summary>Keeps a new status as the newest, dropping the oldest beyond <see cref="Capacity"/>.</summary>
    /// <returns>The status, with its new id.</returns>
    public Status Add(string user, string text, DateTimeOffset time)
    {
        var status = new Status(Guid.NewGuid().ToString("N")[..16], user, text, time);
        lock (_gate)
        {
            _statuses.AddFirst(status);
            if (_statuses.Count > Capacity)
            {
                _statuses.RemoveLast();
            }
        }

        return status;
    }

    /// <summary>The kept status with this id, or <see langword="null"/>.</summary>
    public Status? Find(string id)
    {
        lock (_gate)
        {
            return _statuses.FirstOrDefault(s => s.Id == id);
        }
    }

    /// <summary>Forgets the status with this id; whether it was kept.</summary>
    public bool Remove(string id)
    {
        lock (_gate)
        {
            var node = _statuses.First;
            while (node is not null && node.Value.Id != id)
            {
                node = node.Next;
            }

            return node is not null && _statuses.Remove(node.Value);
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

/// <summary>One posted status, as <c>Views/Shared/_Status.cshtml</c> draws it.</summary>
/// <param name="Id">Its id: the element id <c>status-{Id}</c> on every page, which a removal targets.</param>
/// <param name="User">Who posted it.</param>
/// <param name="Text">What they said.</param>
/// <param name="Time">When the server took it.</param>
public sealed record Status(string Id, string User, string Text, DateTimeOffset Time);
