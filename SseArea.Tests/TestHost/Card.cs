namespace SseArea.TestHost;

/// <summary>The model of the live-view tests' partial <c>Views/Shared/_Card.cshtml</c> and component <c>Components/CardComponent.razor</c>.</summary>
/// <param name="Id">The card's number (its element id is <c>card-{Id}</c>).</param>
/// <param name="User">Who wrote it.</param>
/// <param name="Text">What they wrote: model text, encoded by Razor.</param>
public sealed record Card(int Id, string User, string Text);
