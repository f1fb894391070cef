using Ledger.Domain.Accounts;

namespace Ledger.Domain.Holds;

public abstract record HoldDecision
{
    // Accepted, Unchanged and Rejected are the only outcomes; callers may switch on them exhaustively.
    private protected HoldDecision()
    {
    }
}

// One event for the transfer's own stream and the account events for the two account streams, to be appended
// together: the transfer's stream at the version it was read, each account at the version it was read.
public sealed record HoldAccepted(IHoldEvent HoldEvent, IReadOnlyList<IAccountEvent> AccountEvents) : HoldDecision
{
    // Compare events by value so that two decisions with equal events are equal records.
    public bool Equals(HoldAccepted? other) =>
        other is not null && HoldEvent.Equals(other.HoldEvent) && AccountEvents.SequenceEqual(other.AccountEvents);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(HoldEvent);
        foreach (var @event in AccountEvents)
        {
            hash.Add(@event);
        }

        return hash.ToHashCode();
    }
}

// The command was already carried out (the same post again, a void again) or has nothing left to do (expiring a
// hold that is no longer pending): nothing is written, and a post or void answers with the hold as it stands,
// which is the answer it got the first time. Not a rejection: the contract answers 200.
public sealed record HoldUnchanged(TransferHold Hold) : HoldDecision;

public sealed record HoldRejected(Rejection Rejection) : HoldDecision
{
    internal HoldRejected(Rejected rejected)
        : this(rejected.Rejection)
    {
    }
}
