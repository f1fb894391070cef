namespace Ledger.Api.Jobs;

/// <summary>A hold's expiry, scheduled for its <c>expiresAt</c> in the transaction that placed it.</summary>
public sealed record HoldDue(Guid TransferId, DateTimeOffset ExpiresAt);

public static class HoldDueHandler
{
    public static Task Handle(HoldDue due, HoldExpiry expiry) => expiry.ExpireAsync(due);
}
