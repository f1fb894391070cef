using Ledger.Domain.Accounts;
using Ledger.Projections.Store;

namespace Ledger.Api.Writes;

/// <summary>Freeze, unfreeze or close: no body, so no idempotency key; repeating one is a no-op by the domain's rules.</summary>
public sealed record LifecycleWrite(string Actor, IAccountCommand Command) : DecidedWrite(Actor)
{
    public override string Operation => Command switch
    {
        FreezeAccount => "account.freeze",
        UnfreezeAccount => "account.unfreeze",
        CloseAccount => "account.close",
        _ => throw new ArgumentOutOfRangeException(nameof(Command), Command.GetType().Name, null),
    };

    public override IEnumerable<Guid> Accounts => [Command.AccountId];

    public override WriteDecision Decide(BatchDecisions decisions)
    {
        IAccountCommand command = Command switch
        {
            FreezeAccount c => c with { Now = decisions.Now },
            UnfreezeAccount c => c with { Now = decisions.Now },
            CloseAccount c => c with { Now = decisions.Now },
            _ => throw new ArgumentOutOfRangeException(nameof(decisions), Command.GetType().Name, null),
        };
        var events = new List<IAccountEvent>();
        // The account is the one the path names: an unknown one is 404 not_found.
        return BatchDecisions.Try(AccountDecider.Decide(command, decisions.StateOf(command.AccountId)), events, out var refusal, addressed: true)
            ? decisions.Accept(events, command.AccountId)
            : BatchDecisions.Refuse(refusal);
    }

    public override IReadOnlyList<Guid> AuditSubjects => [Command.AccountId];

    public override string Describe() => $"{Operation} on account {Command.AccountId}.";

    public override WriteResult Result(WriteDecision decided, LogPosition position, DateTimeOffset now) =>
        AccountResult.Of(decided.SubjectAfter!, position);
}
