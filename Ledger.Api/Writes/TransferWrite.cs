using System.Globalization;
using Ledger.Domain.Transfers;
using Ledger.Projections.Store;

namespace Ledger.Api.Writes;

public enum MovementKind { Transfer, Deposit, Withdrawal }

/// <summary>A transfer between two accounts; a deposit or withdrawal is one with the currency's settlement account.</summary>
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

    public override IEnumerable<Guid> Accounts => [Command.FromAccountId, Command.ToAccountId];

    public override WriteDecision Decide(BatchDecisions decisions)
    {
        var command = Command with { Now = decisions.Now };
        if (Kind != MovementKind.Transfer) decisions.EnsureSettlement(command.Currency);
        var events = new List<Domain.Accounts.IAccountEvent>();
        var decision = TransferDecider.Decide(command, decisions.StateOf(command.FromAccountId), decisions.StateOf(command.ToAccountId), decisions.Limits);
        return BatchDecisions.Try(decision, events, out var refusal) ? decisions.Accept(events, subject: null) : BatchDecisions.Refuse(refusal);
    }

    public override IReadOnlyList<Guid> AuditSubjects => [Id, Command.FromAccountId, Command.ToAccountId];

    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"Moved {Command.AmountMinor} {Command.Currency} minor units from {Command.FromAccountId} to {Command.ToAccountId} ({Operation}).");

    public override WriteResult Result(WriteDecision decided, LogPosition position, DateTimeOffset now) => new TransferResult(
        Id, Command.FromAccountId, Command.ToAccountId, Command.AmountMinor, Command.Currency, Command.Reference, Metadata, now, position.ToString());
}

/// <summary>
/// Up to 8190 transfers applied in order. Atomic: all commit or none does. Each item is an idempotent
/// transfer of its own, so its id works with GET /transfers/{id} and POST /transfers alike.
/// </summary>
public sealed record TransferBatchWrite(string Actor, bool Atomic, IReadOnlyList<IdempotentWrite> Items) : LedgerWrite(Actor)
{
    public override string Operation => "transfer.batch";
    public override int Weight => Items.Count;
}
