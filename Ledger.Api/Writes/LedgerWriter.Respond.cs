using Ledger.Projections.Accounts;
using Ledger.Projections.Store;

namespace Ledger.Api.Writes;

public sealed partial class LedgerWriter
{
    /// <summary>Turns decisions into outcomes, now that the events have log positions.</summary>
    private static WriteOutcome?[] Respond(
        BatchPlan plan, Dictionary<Guid, LogPosition> positions, Dictionary<Guid, AccountRow> loaded, DateTimeOffset now)
    {
        var outcomes = new WriteOutcome?[plan.Decided.Length];
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (plan.Settled[i] is { } settled) outcomes[i] = settled;
            else if (plan.Decided[i] is { } decided) outcomes[i] = (WriteOutcome?)decided.Refusal ?? Success(plan, i, decided, positions, loaded, now);
        }
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (plan.DuplicateOf[i] is not { } first) continue;
            var original = (IdempotentWrite)plan.Units[first];
            outcomes[i] = CommandRecords.SameRequest(original, (IdempotentWrite)plan.Units[i])
                ? outcomes[first] switch
                {
                    Committed c => c with { Replayed = true },
                    var other => other,
                }
                : CommandRecords.Conflict(original.Id);
        }
        return outcomes;
    }

    private static Committed Success(
        BatchPlan plan, int index, WriteDecision decided, Dictionary<Guid, LogPosition> positions, Dictionary<Guid, AccountRow> loaded, DateTimeOffset now)
    {
        // A decision without events (freezing a frozen account) changed nothing: its position is the subject's last.
        var position = decided.EventIds.Count > 0 ? decided.EventIds.Max(id => positions[id])
            : decided.HoldAfter is { } hold ? plan.Decisions.LoadedPositionOf(hold.TransferId)
            : loaded[decided.SubjectAfter!.Id].LastAt;
        return new Committed(plan.Units[index].Result(decided, position, now), Replayed: decided.EventIds.Count == 0);
    }
}
