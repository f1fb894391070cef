using Ledger.Domain.Accounts;
using Ledger.EventStore;

namespace Ledger.Projections.Accounts;

/// <summary>
/// Folds recorded account events into account rows with the domain's own Evolve, so a projection can
/// never disagree with the write side's rules. Versions must follow on from the stored row: a gap or
/// a repeat is a broken invariant and stops the projection loudly.
/// </summary>
public static class AccountProjector
{
    public static IReadOnlyCollection<AccountRow> Project(IReadOnlyDictionary<Guid, AccountRow> before, IReadOnlyList<RecordedEvent> events)
    {
        var after = new Dictionary<Guid, AccountRow>();
        foreach (var recorded in events)
        {
            if (recorded.Data is not IAccountEvent @event) continue;
            var current = after.GetValueOrDefault(@event.AccountId) ?? before.GetValueOrDefault(@event.AccountId);
            var expectedVersion = (current?.State.Version ?? 0) + 1;
            if (recorded.Version != expectedVersion)
                throw new InvalidOperationException(
                    $"Account {@event.AccountId}: event {recorded.Type} has version {recorded.Version}, expected {expectedVersion}.");
            var state = AccountEvolution.Evolve(current?.State, @event);
            after[@event.AccountId] = new AccountRow(state, current?.OpenedAt ?? recorded.Position, recorded.Position);
        }
        return after.Values;
    }
}
