using Ledger.Domain.Transfers;

namespace Ledger.Domain.Holds;

// A two-phase transfer's first phase: every check of the transfer, then its amount reserved.
// Without TimeoutSeconds the hold never expires.
public sealed record PlaceHold(
    Guid TransferId,
    Guid FromAccountId,
    Guid ToAccountId,
    long AmountMinor,
    string Currency,
    string? Reference,
    int? TimeoutSeconds,
    DateTimeOffset Now)
{
    // Thirty days, the contract's longest timeout.
    public const int TimeoutSecondsMax = 2_592_000;

    internal TransferFunds AsTransfer() =>
        new(TransferId, FromAccountId, ToAccountId, AmountMinor, Currency, Reference, Now);
}

// A command on a hold that already exists, addressed by its transfer id; it carries the instant it happens.
public interface IHoldCommand
{
    Guid TransferId { get; }

    DateTimeOffset Now { get; }
}

// AmountMinor null posts all of the hold; the request's own amount is remembered, because only the same
// post sent again is answered as done.
public sealed record PostHold(Guid TransferId, long? AmountMinor, DateTimeOffset Now) : IHoldCommand;

public sealed record VoidHold(Guid TransferId, DateTimeOffset Now) : IHoldCommand;

// Sent by the scheduler at or after the hold's ExpiresAt.
public sealed record ExpireHold(Guid TransferId, DateTimeOffset Now) : IHoldCommand;
