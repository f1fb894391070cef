namespace Ledger.Domain;

// Shared wording so every decider describes the same failure the same way.
internal static class Rejections
{
    public static Rejected AccountNotFound(Guid accountId) =>
        Reject(RejectionCode.AccountNotFound, $"Account {accountId} does not exist.");

    public static Rejected AccountClosed(Guid accountId) =>
        Reject(RejectionCode.AccountClosed, $"Account {accountId} is closed.");

    public static Rejected AccountFrozen(Guid accountId) =>
        Reject(RejectionCode.AccountFrozen, $"Account {accountId} is frozen.");

    public static Rejected TransferNotPending(Guid transferId, string state) =>
        Reject(RejectionCode.TransferNotPending, $"Transfer {transferId} {state}; only a pending hold can be posted or voided.");

    public static Rejected TransferExpired(Guid transferId, DateTimeOffset expiresAt) =>
        Reject(RejectionCode.TransferExpired, $"Transfer {transferId} expired at {expiresAt:O}.");

    public static Rejected Reject(RejectionCode code, string detail) =>
        new(new Rejection(code, detail));
}
