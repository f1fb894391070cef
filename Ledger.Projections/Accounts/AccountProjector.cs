using Ledger.Domain.Accounts;
using JasperFx.Events;
using Ledger.Projections.Store;

namespace Ledger.Projections.Accounts;

/// <summary>
/// Folds recorded account events into account rows with the domain's own Evolve, so a projection can
/// never disagree with the write side's rules. Versions must follow on from the stored row: a gap or
/// a repeat is a broken invariant and stops the projection loudly.
/// </summary>
public static class AccountProjector
{
    public static IReadOnlyCollection<AccountRow> Project(IReadOnlyDictionary<Guid, AccountRow> before, IReadOnlyList<IEvent> events)
    {
        var after = new Dictionary<Guid, AccountRow>();
        foreach (var recorded in events)
        {
            if (recorded.Data is not IAccountEvent @event) continue;
            var current = after.GetValueOrDefault(@event.AccountId) ?? before.GetValueOrDefault(@event.AccountId);
            var expectedVersion = (current?.State.Version ?? 0) + 1;
            if (recorded.Version != expectedVersion)
                throw new ProjectionFoldException(recorded,
                    $"Account {@event.AccountId}: event {recorded.EventTypeName} has version {recorded.Version}, expected {expectedVersion}.");
            AccountState state;
            try
            {
                state = AccountEvolution.Evolve(current?.State, @event);
            }
            catch (InvalidOperationException e)
            {
                throw new ProjectionFoldException(recorded, e.Message, e);
            }
            after[@event.AccountId] = new AccountRow(state, current?.OpenedAt ?? new LogPosition(recorded.Sequence), new LogPosition(recorded.Sequence));
        }
        return after.Values;
    }
}

/// <summary>An event a projection cannot fold: a broken invariant that must stop the projection at that event.</summary>
public sealed class ProjectionFoldException(IEvent culprit, string message, Exception? inner = null)
    : InvalidOperationException(message, inner)
{
    public IEvent Culprit { get; } = culprit;
}
