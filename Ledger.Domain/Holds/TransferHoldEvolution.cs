namespace Ledger.Domain.Holds;

public static class TransferHoldEvolution
{
    public static TransferHold? Replay(IEnumerable<IHoldEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);

        TransferHold? state = null;
        foreach (var @event in events)
        {
            state = Evolve(state, @event);
        }

        return state;
    }

    // A hold leaves pending once and never comes back; any other sequence is a bug upstream, so we throw.
    public static TransferHold Evolve(TransferHold? state, IHoldEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (state is not null && state.TransferId != @event.TransferId)
        {
            throw new InvalidOperationException($"{@event} belongs to another transfer than {state}.");
        }

        return (state, @event) switch
        {
            (null, HoldPlaced placed) => Place(placed),
            (null, _) => throw new InvalidOperationException($"{@event} cannot apply before the hold is placed."),
            ({ Status: HoldStatus.Pending } pending, HoldPosted posted) => Post(pending, posted),
            ({ Status: HoldStatus.Pending } pending, HoldVoided) => Next(pending) with { Status = HoldStatus.Voided },
            ({ Status: HoldStatus.Pending } pending, HoldExpired expired) => Expire(pending, expired),
            ({ } hold, _) => throw new InvalidOperationException($"{@event} cannot apply to a hold that is {hold.Status}: {hold}."),
        };
    }

    private static TransferHold Place(HoldPlaced placed)
    {
        if (placed.AmountMinor <= 0 || placed.FromAccountId == placed.ToAccountId)
        {
            throw new InvalidOperationException($"{placed} must hold a positive amount between two different accounts.");
        }

        if (placed.ExpiresAt is { } expiresAt && expiresAt <= placed.PlacedAt)
        {
            throw new InvalidOperationException($"{placed} expires before it is placed.");
        }

        return new TransferHold(
            placed.TransferId, placed.FromAccountId, placed.ToAccountId, placed.AmountMinor, placed.Currency, placed.Reference,
            placed.ExpiresAt, placed.PlacedAt, HoldStatus.Pending, RequestedPostAmountMinor: null, PostedAmountMinor: null, Version: 1);
    }

    private static TransferHold Post(TransferHold pending, HoldPosted posted)
    {
        var amountIsValid = posted.PostedAmountMinor > 0
            && posted.PostedAmountMinor <= pending.AmountMinor
            && (posted.RequestedAmountMinor ?? pending.AmountMinor) == posted.PostedAmountMinor;
        if (!amountIsValid)
        {
            throw new InvalidOperationException($"{posted} does not post an amount that {pending} holds.");
        }

        return Next(pending) with
        {
            Status = HoldStatus.Posted,
            RequestedPostAmountMinor = posted.RequestedAmountMinor,
            PostedAmountMinor = posted.PostedAmountMinor,
        };
    }

    private static TransferHold Expire(TransferHold pending, HoldExpired expired)
    {
        if (pending.ExpiresAt is not { } expiresAt || expired.ExpiredAt < expiresAt)
        {
            throw new InvalidOperationException($"{expired} expires {pending} before it is due.");
        }

        return Next(pending) with { Status = HoldStatus.Expired };
    }

    private static TransferHold Next(TransferHold state) =>
        state with { Version = checked(state.Version + 1) };
}
