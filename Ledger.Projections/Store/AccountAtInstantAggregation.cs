using JasperFx.Events;
using Ledger.Domain.Accounts;
using Marten.Events.Aggregation;

namespace Ledger.Projections.Store;

/// <summary>An account as it stood after one of its events, and that event's log position.</summary>
public sealed record AccountAtInstant(Guid Id, AccountState State, long Position);

/// <summary>
/// Time travel through Marten (<c>AggregateStreamAsync</c> with a timestamp): a live aggregation, never
/// stored, folded by the domain's own <see cref="AccountEvolution.Evolve"/>.
/// </summary>
public sealed class AccountAtInstantAggregation : SingleStreamProjection<AccountAtInstant, Guid>
{
    public override AccountAtInstant Evolve(AccountAtInstant? snapshot, Guid id, IEvent e) =>
        new(id, AccountEvolution.Evolve(snapshot?.State, (IAccountEvent)e.Data), e.Sequence);
}
