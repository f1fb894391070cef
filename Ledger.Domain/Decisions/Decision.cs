using Ledger.Domain.Accounts;

namespace Ledger.Domain;

public enum RejectionCode
{
    AccountNotFound,
    InsufficientFunds,
    CurrencyMismatch,
    AccountFrozen,
    AccountClosed,
    AccountNotEmpty,
    LimitExceeded,
    AccountAlreadyExists,
    SettlementAccount,
    TransferNotPending,
    TransferExpired,
    AmountExceedsPending,
}

public sealed record Rejection(RejectionCode Code, string Detail);

public abstract record Decision
{
    // Accepted and Rejected are the only outcomes; callers may switch on them exhaustively.
    private protected Decision()
    {
    }
}

// An empty event list is an accepted no-op (e.g. freezing an already frozen account).
public sealed record Accepted(IReadOnlyList<IAccountEvent> Events) : Decision
{
    // Compare events by value so that two decisions with equal events are equal records.
    public bool Equals(Accepted? other) =>
        other is not null && Events.SequenceEqual(other.Events);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var @event in Events)
        {
            hash.Add(@event);
        }

        return hash.ToHashCode();
    }
}

public sealed record Rejected(Rejection Rejection) : Decision;
