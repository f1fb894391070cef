namespace Ledger.Domain.Holds;

// The events of a two-phase transfer's own stream, whose id is the transfer id.
public interface IHoldEvent
{
    Guid TransferId { get; }
}

// ExpiresAt is fixed here, from the creation instant and the timeout, so no later clock can move it.
public sealed record HoldPlaced(
    Guid TransferId,
    Guid FromAccountId,
    Guid ToAccountId,
    long AmountMinor,
    string Currency,
    string? Reference,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset PlacedAt) : IHoldEvent;

// RequestedAmountMinor is what the post asked for (null: all of it), kept so the same post sent again is
// recognised; PostedAmountMinor is what moved.
public sealed record HoldPosted(
    Guid TransferId,
    long? RequestedAmountMinor,
    long PostedAmountMinor,
    DateTimeOffset PostedAt) : IHoldEvent;

public sealed record HoldVoided(Guid TransferId, DateTimeOffset VoidedAt) : IHoldEvent;

public sealed record HoldExpired(Guid TransferId, DateTimeOffset ExpiredAt) : IHoldEvent;

public enum HoldStatus
{
    Pending,
    Posted,
    Voided,
    Expired,
}

/// <summary>The state of one two-phase transfer, folded from its own stream.</summary>
/// <remarks>
/// The lifecycle (pending → posted | voided | expired) is decided here, on a stream of its own, rather than
/// derived from the two account streams. A post, a void and an expiry racing on one hold all append to this
/// one stream at the version they read, so exactly one of them wins whatever the number of writers; derived
/// from the accounts, the hold's status would be written twice and two streams would have to agree on it.
/// It also keeps the accounts small: each keeps its pending totals, not a list of every open hold, because
/// only this stream needs to know what is held and whether it was already released. And a post, a void or
/// the expiry scheduler finds the hold, its accounts and its expiry by the transfer id alone.
/// </remarks>
public sealed record TransferHold(
    Guid TransferId,
    Guid FromAccountId,
    Guid ToAccountId,
    long AmountMinor,
    string Currency,
    string? Reference,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset PlacedAt,
    HoldStatus Status,
    long? RequestedPostAmountMinor,
    long? PostedAmountMinor,
    long Version);
