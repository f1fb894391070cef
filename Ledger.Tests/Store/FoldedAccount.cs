using Ledger.Domain.Accounts;

namespace Ledger.Tests.Store;

/// <summary>
/// An account as Marten itself aggregates it (live with <c>AggregateStreamAsync</c>, or as a Marten
/// snapshot projection), folded with the domain's own Evolve: Marten's conventions, the ledger's rules.
/// </summary>
public sealed class FoldedAccount
{
    public Guid Id { get; set; }

    public AccountState? State { get; set; }

    public static FoldedAccount Create(AccountOpened e) => new() { Id = e.AccountId, State = AccountEvolution.Evolve(null, e) };

    public void Apply(AccountCredited e) => State = AccountEvolution.Evolve(State, e);

    public void Apply(AccountDebited e) => State = AccountEvolution.Evolve(State, e);

    public void Apply(AccountFrozen e) => State = AccountEvolution.Evolve(State, e);

    public void Apply(AccountUnfrozen e) => State = AccountEvolution.Evolve(State, e);

    public void Apply(AccountClosed e) => State = AccountEvolution.Evolve(State, e);
}
