using Ledger.Domain.Accounts;
using Ledger.Domain.Holds;
using Ledger.Projections.Accounts;
using Ledger.Projections.Holds;
using Ledger.Projections.Store;

namespace Ledger.Api.Writes;

/// <summary>What became of a write, in the ledger's terms; each endpoint renders its own answer from it.</summary>
public abstract record WriteOutcome;

/// <summary>
/// Recorded. <paramref name="Replayed"/>: this request wrote nothing new, because an earlier request with
/// its id did (a retry) or because the write changed nothing.
/// </summary>
public sealed record Committed(WriteResult Result, bool Replayed) : WriteOutcome;

/// <summary>Refused with a contract code (a business rule, an idempotency conflict, an unknown account).</summary>
public sealed record Refused(string Code, string Detail) : WriteOutcome;

/// <summary>Nothing was written: the database failed or the queue was full.</summary>
public sealed record Unavailable(string Detail) : WriteOutcome;

/// <summary>What a committed write left behind.</summary>
public abstract record WriteResult;

/// <summary>An account as the write left it, at the position of its last event.</summary>
/// <remarks>Stored rows written before holds existed lack the pending totals, which were zero then.</remarks>
public sealed record AccountResult(
    Guid Id, string Currency, string? Name, string Status, bool AllowNegative, long Balance, long Version, DateTimeOffset OpenedAt, string Position,
    long PendingDebits = 0, long PendingCredits = 0)
    : WriteResult
{
    public static AccountResult Of(AccountState s, LogPosition position) => new(
        s.Id, s.Currency, s.Name, AccountRow.StatusText(s.Status), s.AllowNegative, s.BalanceMinor, s.Version, s.OpenedAt, position.ToString(),
        s.PendingDebitsMinor, s.PendingCreditsMinor);
}

/// <summary>
/// A transfer at the position of its last event: one-phase (<c>completed</c>), or two-phase with its
/// hold's state (<c>pending</c>, <c>posted</c>, <c>voided</c>, <c>expired</c>). Stored rows written before
/// holds existed lack the two-phase members and carry <c>completed</c>.
/// </summary>
public sealed record TransferResult(
    Guid Id, Guid FromAccountId, Guid ToAccountId, long Amount, string Currency, string? Reference,
    IReadOnlyDictionary<string, string>? Metadata, DateTimeOffset Timestamp, string Position,
    string Status = "completed", long? PendingAmount = null, long? PostedAmount = null, DateTimeOffset? ExpiresAt = null) : WriteResult
{
    public static TransferResult OfHold(TransferHold hold, IReadOnlyDictionary<string, string>? metadata, LogPosition position) => new(
        hold.TransferId, hold.FromAccountId, hold.ToAccountId, hold.AmountMinor, hold.Currency, hold.Reference, metadata, hold.PlacedAt,
        position.ToString(), HoldTable.StatusText(hold.Status), hold.AmountMinor, hold.PostedAmountMinor, hold.ExpiresAt);
}

/// <summary>The outcome of every item of a transfer batch, in request order.</summary>
public sealed record BatchResult(IReadOnlyList<BatchItem> Items) : WriteResult;

public sealed record BatchItem(Guid Id, WriteOutcome Outcome);
