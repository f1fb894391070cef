using Ledger.Domain;

namespace Ledger.Api.Writes;

/// <summary>The contract's status and code for each business rejection of the domain.</summary>
public static class RejectionCodes
{
    public static Refused ToRefusal(Rejection rejection) => rejection.Code switch
    {
        RejectionCode.AccountNotFound => new Refused(422, "account_not_found", rejection.Detail),
        RejectionCode.InsufficientFunds => new Refused(422, "insufficient_funds", rejection.Detail),
        RejectionCode.CurrencyMismatch => new Refused(422, "currency_mismatch", rejection.Detail),
        RejectionCode.AccountFrozen => new Refused(422, "account_frozen", rejection.Detail),
        RejectionCode.AccountClosed => new Refused(422, "account_closed", rejection.Detail),
        RejectionCode.AccountNotEmpty => new Refused(422, "account_not_empty", rejection.Detail),
        RejectionCode.LimitExceeded => new Refused(422, "limit_exceeded", rejection.Detail),
        RejectionCode.AccountAlreadyExists => new Refused(409, "idempotency_conflict", rejection.Detail),
        RejectionCode.SettlementAccount => new Refused(422, "settlement_account", rejection.Detail),
        _ => throw new ArgumentOutOfRangeException(nameof(rejection), rejection.Code, null),
    };
}
