using System.Globalization;
using Ledger.Domain.Accounts;
using Ledger.Domain.Transfers;
using Ledger.Projections.Store;

namespace Ledger.Api.Writes;

/// <summary>Opening an account, with an optional initial balance booked as a deposit from the currency's settlement account.</summary>
public sealed record OpenAccountWrite(Guid Id, byte[] RequestHash, string Actor, OpenAccount Command, long InitialBalanceMinor)
    : IdempotentWrite(Id, RequestHash, Actor)
{
    public override string Operation => "account.open";

    public override IEnumerable<Guid> Accounts => InitialBalanceMinor > 0
        ? [Command.AccountId, SettlementAccounts.IdFor(Command.Currency)]
        : [Command.AccountId];

    public override WriteDecision Decide(BatchDecisions decisions)
    {
        var command = Command with { Now = decisions.Now };
        var events = new List<IAccountEvent>();
        if (!BatchDecisions.Try(AccountDecider.Decide(command, decisions.StateOf(command.AccountId)), events, out var refusal))
            return BatchDecisions.Refuse(refusal);
        if (InitialBalanceMinor <= 0) return decisions.Accept(events, command.AccountId);
        var settlement = decisions.EnsureSettlement(command.Currency);
        var opened = AccountEvolution.Replay(events);
        var deposit = new TransferFunds(Guid.CreateVersion7(decisions.Now), settlement.Id, command.AccountId, InitialBalanceMinor,
            command.Currency, "initial balance", decisions.Now);
        if (!BatchDecisions.Try(TransferDecider.Decide(deposit, settlement.State, opened, decisions.Limits), events, out refusal))
            return BatchDecisions.Refuse(refusal);
        return decisions.Accept(events, command.AccountId) with { InitialDeposit = deposit };
    }

    public override IReadOnlyList<Guid> AuditSubjects => [Command.AccountId];

    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"Opened account {Command.AccountId} in {Command.Currency} with initial balance {InitialBalanceMinor}.");

    public override WriteResult Result(WriteDecision decided, LogPosition position, DateTimeOffset now) =>
        AccountResult.Of(decided.SubjectAfter!, position);
}
