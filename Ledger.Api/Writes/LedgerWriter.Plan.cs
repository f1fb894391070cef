using Ledger.Projections.Audit;

namespace Ledger.Api.Writes;

public sealed partial class LedgerWriter
{
    /// <summary>The batch after deciding: per unit either a decision or an outcome known without one.</summary>
    private sealed record BatchPlan(
        IReadOnlyList<DecidedWrite> Units,
        BatchDecisions Decisions,
        WriteDecision?[] Decided,
        WriteOutcome?[] Settled,
        int?[] DuplicateOf,
        List<int> Owners,
        List<AuditDraft> AuditDrafts);

    private static BatchPlan Plan(WriteUnits units, Dictionary<Guid, CommandRecord> known, BatchDecisions decisions)
    {
        var count = units.Items.Count;
        var plan = new BatchPlan(units.Items, decisions, new WriteDecision?[count], new WriteOutcome?[count], new int?[count], [], []);
        var firstById = new Dictionary<Guid, int>();
        var groups = units.AtomicGroups.ToDictionary(g => g.Start, g => g.Count);
        for (var i = 0; i < count;)
        {
            if (groups.TryGetValue(i, out var size))
            {
                PlanAtomic(plan, i, size, known, firstById);
                i += size;
            }
            else PlanUnit(plan, i++, known, firstById);
        }
        return plan;
    }

    private static void PlanUnit(BatchPlan plan, int i, Dictionary<Guid, CommandRecord> known, Dictionary<Guid, int> firstById)
    {
        var write = plan.Units[i];
        if (write is IdempotentWrite keyed)
        {
            if (known.TryGetValue(keyed.Id, out var record))
            {
                plan.Settled[i] = record.Replay(keyed);
                if (plan.Settled[i] is Refused { Code: "idempotency_conflict" } conflict) plan.AuditDrafts.Add(Draft(write, conflict));
                return;
            }
            if (firstById.TryGetValue(keyed.Id, out var first))
            {
                plan.DuplicateOf[i] = first;
                return;
            }
            firstById[keyed.Id] = i;
            plan.Owners.Add(i);
        }
        var decision = write.Decide(plan.Decisions);
        plan.Decided[i] = decision;
        // A post or void sent again finds its work done: like a replayed request it writes nothing, not even an audit entry.
        if (decision is not { HoldAfter: not null, EventIds.Count: 0, Refusal: null }) plan.AuditDrafts.Add(Draft(write, decision.Refusal));
    }

    /// <summary>
    /// Decides an atomic group against a checkpoint of the in-memory state; if any item fails, the state
    /// goes back to the checkpoint and every item is rejected: the failing one with its own code, the
    /// rest as <c>linked_failed</c>. The rejections are remembered and audited like any other.
    /// </summary>
    private static void PlanAtomic(BatchPlan plan, int start, int size, Dictionary<Guid, CommandRecord> known, Dictionary<Guid, int> firstById)
    {
        var checkpoint = plan.Decisions.Checkpoint();
        var draftsBefore = plan.AuditDrafts.Count;
        for (var i = start; i < start + size; i++) PlanUnit(plan, i, known, firstById);

        var failed = Enumerable.Range(start, size).FirstOrDefault(i => Failure(plan, i) is not null, -1);
        if (failed < 0) return;

        plan.Decisions.Restore(checkpoint);
        plan.AuditDrafts.RemoveRange(draftsBefore, plan.AuditDrafts.Count - draftsBefore);
        var cause = Failure(plan, failed)!;
        for (var i = start; i < start + size; i++)
        {
            var refusal = i == failed
                ? cause
                : new Refused("linked_failed",
                    $"Not applied: item {failed - start} of the atomic batch was rejected ({cause.Code}).");
            plan.Decided[i] = null;
            plan.DuplicateOf[i] = null;
            plan.Settled[i] = refusal;
            plan.AuditDrafts.Add(Draft(plan.Units[i], refusal));
        }
    }

    private static Refused? Failure(BatchPlan plan, int i) =>
        plan.Settled[i] as Refused ?? plan.Decided[i]?.Refusal
        ?? (plan.DuplicateOf[i] is { } first && !CommandRecords.SameRequest((IdempotentWrite)plan.Units[first], (IdempotentWrite)plan.Units[i])
            ? CommandRecords.Conflict(((IdempotentWrite)plan.Units[i]).Id)
            : null);

    private static AuditDraft Draft(DecidedWrite write, Refused? refusal) => new(
        write.Actor, write.Operation, write.AuditSubjects, refusal is null, refusal?.Code, refusal?.Detail ?? write.Describe());
}
