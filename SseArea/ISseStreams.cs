using System.Security.Claims;

namespace SseArea;

/// <summary>
/// The streams this process is writing, for ending them when access ends: call <see cref="EndStreams"/> when a user
/// signs out or loses a role, and their open streams end at once. Each browser then reconnects, and the reconnect is
/// checked again (a refused channel answers 403). Streams that needed an access rule or an authorization policy also
/// end by themselves after <see cref="SseOptions.AccessRecheckInterval"/>, or when the user's authentication ticket
/// expires, whichever comes first.
/// </summary>
public interface ISseStreams
{
    /// <summary>Ends, in this process, every stream whose user matches <paramref name="user"/>.</summary>
    /// <param name="user">Chooses the streams to end by the user that opened them.</param>
    /// <returns>How many streams were ended.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="user"/> is <see langword="null"/>.</exception>
    int EndStreams(Func<ClaimsPrincipal, bool> user);
}
