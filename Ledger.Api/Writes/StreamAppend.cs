namespace Ledger.Api.Writes;

/// <summary>An event about to be appended (an account's or a hold's), with the id the writer gives it so a decision can find its position.</summary>
public sealed record EventToAppend(Guid Id, object Data);

/// <summary>Events for one stream (an account's, or a two-phase transfer's own) and the version it was loaded at (0: the stream is new).</summary>
public sealed record StreamAppend(Guid StreamId, long ExpectedVersion, IReadOnlyList<EventToAppend> Events);
