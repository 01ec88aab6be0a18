namespace SseArea.Benchmarks.LiveViews;

/// <summary>The model of the benchmarks' partial (<c>Views/Shared/_Card.cshtml</c>) and component (<see cref="CardComponent"/>).</summary>
/// <param name="Id">The card's number.</param>
/// <param name="User">Who wrote it.</param>
/// <param name="Text">What they wrote (encoded by Razor).</param>
public sealed record Card(int Id, string User, string Text);
