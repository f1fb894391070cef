using Ledger.Domain;

namespace Ledger.Api.Writes;

/// <summary>The contract's code for each business rejection of the domain; its status comes from <see cref="Http.ProblemCodes"/> at the edge.</summary>
public static class RejectionCodes
{
    /// <param name="rejection">What the domain refused.</param>
    /// <param name="addressed">
    /// True when the write names its account in the path (freeze, unfreeze, close): an unknown one is then
    /// the resource that is missing (404 <c>not_found</c>), not a party of a transfer (422 <c>account_not_found</c>).
    /// </param>
    public static Refused ToRefusal(Rejection rejection, bool addressed = false)
    {
        var code = rejection.Code switch
        {
            RejectionCode.AccountNotFound => addressed ? "not_found" : "account_not_found",
            RejectionCode.InsufficientFunds => "insufficient_funds",
            RejectionCode.CurrencyMismatch => "currency_mismatch",
            RejectionCode.AccountFrozen => "account_frozen",
            RejectionCode.AccountClosed => "account_closed",
            RejectionCode.AccountNotEmpty => "account_not_empty",
            RejectionCode.LimitExceeded => "limit_exceeded",
            RejectionCode.AccountAlreadyExists => "idempotency_conflict",
            RejectionCode.SettlementAccount => "settlement_account",
            RejectionCode.TransferNotPending => "transfer_not_pending",
            RejectionCode.TransferExpired => "transfer_expired",
            RejectionCode.AmountExceedsPending => "amount_exceeds_pending",
            _ => throw new ArgumentOutOfRangeException(nameof(rejection), rejection.Code, null),
        };
        return new Refused(code, rejection.Detail);
    }
}
