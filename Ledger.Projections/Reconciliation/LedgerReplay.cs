using Ledger.Domain.Accounts;
using JasperFx.Events;

namespace Ledger.Projections.Reconciliation;

/// <summary>
/// Folds the event log, in log order, into every account's state with the domain's own Evolve, and pairs
/// the two legs of every transfer. Pure: the caller feeds it events.
/// </summary>
public sealed class LedgerReplay
{
    private readonly Dictionary<Guid, AccountState> _accounts = [];
    private readonly Dictionary<Guid, (int Debits, int Credits, long Debited, long Credited)> _legs = [];

    public long EventsReplayed { get; private set; }
    public IReadOnlyDictionary<Guid, AccountState> Accounts => _accounts;

    public void Apply(IEvent recorded)
    {
        if (recorded.Data is not IAccountEvent @event) return;
        var state = AccountEvolution.Evolve(_accounts.GetValueOrDefault(@event.AccountId), @event);
        if (state.Version != recorded.Version)
            throw new InvalidOperationException($"Account {@event.AccountId}: replayed version {state.Version} but the log says {recorded.Version}.");
        _accounts[@event.AccountId] = state;
        switch (@event)
        {
            case AccountDebited d:
                var debit = _legs.GetValueOrDefault(d.TransferId);
                _legs[d.TransferId] = (debit.Debits + 1, debit.Credits, debit.Debited + d.AmountMinor, debit.Credited);
                break;
            case AccountCredited c:
                var credit = _legs.GetValueOrDefault(c.TransferId);
                _legs[c.TransferId] = (credit.Debits, credit.Credits + 1, credit.Debited, credit.Credited + c.AmountMinor);
                break;
        }
        EventsReplayed++;
    }

    public Dictionary<Guid, Standing> Balances() => _accounts.ToDictionary(kv => kv.Key, kv => Standing.Of(kv.Value));

    /// <summary>Pending debits minus pending credits per currency: 0 when every hold is on both of its sides.</summary>
    public SortedDictionary<string, long> PendingByCurrency()
    {
        var pending = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var account in _accounts.Values)
            pending[account.Currency] = checked(pending.GetValueOrDefault(account.Currency) + account.PendingDebitsMinor - account.PendingCreditsMinor);
        return pending;
    }

    public SortedDictionary<string, long> TotalsByCurrency()
    {
        var totals = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var account in _accounts.Values)
            totals[account.Currency] = checked(totals.GetValueOrDefault(account.Currency) + account.BalanceMinor);
        return totals;
    }

    public List<LegProblem> LegProblems() => _legs
        .Where(kv => kv.Value.Debits != 1 || kv.Value.Credits != 1 || kv.Value.Debited != kv.Value.Credited)
        .Select(kv => new LegProblem(kv.Key,
            $"{kv.Value.Debits} debit(s) of {kv.Value.Debited} and {kv.Value.Credits} credit(s) of {kv.Value.Credited}"))
        .ToList();
}

/// <summary>What reconciliation compares per account: posted balance and the pending totals of its open holds.</summary>
public readonly record struct Standing(long Balance, long PendingDebits, long PendingCredits)
{
    public static Standing Of(AccountState state) => new(state.BalanceMinor, state.PendingDebitsMinor, state.PendingCreditsMinor);
}
