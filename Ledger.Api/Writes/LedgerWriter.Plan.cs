using Ledger.Projections.Audit;

namespace Ledger.Api.Writes;

public sealed partial class LedgerWriter
{
    /// <summary>The batch after deciding: per write either a decision or an outcome known without one.</summary>
    private sealed record BatchPlan(
        IReadOnlyList<LedgerWrite> AllWrites,
        BatchDecisions Decisions,
        WriteDecision?[] Decided,
        WriteOutcome?[] Settled,
        int?[] DuplicateOf,
        List<int> Owners,
        List<AuditDraft> AuditDrafts)
    {
        public LedgerWrite Writes(int index) => AllWrites[index];
    }

    private static BatchPlan Plan(IReadOnlyList<LedgerWrite> writes, Dictionary<Guid, CommandRecord> known, BatchDecisions decisions)
    {
        var plan = new BatchPlan(writes, decisions, new WriteDecision?[writes.Count], new WriteOutcome?[writes.Count],
            new int?[writes.Count], [], []);
        var firstById = new Dictionary<Guid, int>();
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            if (write is IdempotentWrite keyed)
            {
                if (known.TryGetValue(keyed.Id, out var record))
                {
                    plan.Settled[i] = record.Replay(keyed);
                    if (plan.Settled[i] is Refused { Code: "idempotency_conflict" } conflict) plan.AuditDrafts.Add(Draft(write, conflict));
                    continue;
                }
                if (firstById.TryGetValue(keyed.Id, out var first))
                {
                    plan.DuplicateOf[i] = first;
                    continue;
                }
                firstById[keyed.Id] = i;
                plan.Owners.Add(i);
            }
            var decision = decisions.Decide(write);
            plan.Decided[i] = decision;
            plan.AuditDrafts.Add(Draft(write, decision.Refusal));
        }
        return plan;
    }

    private static AuditDraft Draft(LedgerWrite write, Refused? refusal) => new(
        write.Actor, write.Operation, AuditSubjects.Of(write), refusal is null, refusal?.Code,
        refusal?.Detail ?? AuditSubjects.Describe(write));
}
