using Ledger.Domain.Accounts;

namespace Ledger.Api.Writes;

/// <summary>An event about to be appended, with the id the writer gives it so a decision can find its position.</summary>
public sealed record EventToAppend(Guid Id, IAccountEvent Data);

/// <summary>Events for one account stream and the version it was loaded at (0: the stream is new).</summary>
public sealed record StreamAppend(Guid StreamId, long ExpectedVersion, IReadOnlyList<EventToAppend> Events);
