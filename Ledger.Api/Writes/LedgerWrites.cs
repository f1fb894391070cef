using Ledger.Domain.Accounts;
using Ledger.Domain.Transfers;

namespace Ledger.Api.Writes;

/// <summary>A write waiting for the pipeline. The pipeline stamps the instant when its batch starts.</summary>
public abstract record LedgerWrite(string Actor)
{
    public abstract string Operation { get; }

    /// <summary>How many decisions the write takes; the committer bounds a transaction by the sum.</summary>
    public virtual int Weight => 1;
}

/// <summary>A write that creates something under an id; the id is its idempotency key.</summary>
public abstract record IdempotentWrite(Guid Id, byte[] RequestHash, string Actor) : LedgerWrite(Actor);

public sealed record OpenAccountWrite(Guid Id, byte[] RequestHash, string Actor, OpenAccount Command, long InitialBalanceMinor)
    : IdempotentWrite(Id, RequestHash, Actor)
{
    public override string Operation => "account.open";
}

public enum MovementKind { Transfer, Deposit, Withdrawal }

public sealed record TransferWrite(
    Guid Id, byte[] RequestHash, string Actor, MovementKind Kind, TransferFunds Command, IReadOnlyDictionary<string, string>? Metadata)
    : IdempotentWrite(Id, RequestHash, Actor)
{
    public override string Operation => Kind switch
    {
        MovementKind.Transfer => "transfer",
        MovementKind.Deposit => "deposit",
        MovementKind.Withdrawal => "withdrawal",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };
}

/// <summary>Freeze, unfreeze or close: no body, so no idempotency key; repeating one is a no-op by the domain's rules.</summary>
public sealed record LifecycleWrite(string Actor, IAccountCommand Command) : LedgerWrite(Actor)
{
    public override string Operation => Command switch
    {
        FreezeAccount => "account.freeze",
        UnfreezeAccount => "account.unfreeze",
        CloseAccount => "account.close",
        _ => throw new ArgumentOutOfRangeException(nameof(Command), Command.GetType().Name, null),
    };
}

/// <summary>
/// Up to 8190 transfers applied in order. Atomic: all commit or none does. Each item is an idempotent
/// transfer of its own, so its id works with GET /transfers/{id} and POST /transfers alike.
/// </summary>
public sealed record TransferBatchWrite(string Actor, bool Atomic, IReadOnlyList<TransferWrite> Items) : LedgerWrite(Actor)
{
    public override string Operation => "transfer.batch";
    public override int Weight => Items.Count;
}

/// <summary>What became of a write.</summary>
public abstract record WriteOutcome;

/// <summary>Done (201), replayed (200) or a no-op (200); the body is the contract's JSON.</summary>
public sealed record Succeeded(int StatusCode, string Body, string Position) : WriteOutcome;

/// <summary>Refused with a contract code: 422 business rules, 409 idempotency, 404 unknown account.</summary>
public sealed record Refused(int StatusCode, string Code, string Detail) : WriteOutcome;

/// <summary>Nothing was written: the database failed or the queue was full.</summary>
public sealed record Unavailable(string Detail) : WriteOutcome;
