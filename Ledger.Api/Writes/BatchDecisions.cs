using Ledger.Domain;
using Ledger.Domain.Accounts;
using Ledger.Domain.Risk;
using Ledger.Domain.Transfers;
using Ledger.Projections.Accounts;

namespace Ledger.Api.Writes;

/// <summary>
/// What one write decided: its events (possibly none), the state of its subject afterwards, or a refusal.
/// Opening an account with an initial balance also books a deposit, named here so it can be remembered.
/// </summary>
public sealed record WriteDecision(IReadOnlyList<Guid> EventIds, AccountState? SubjectAfter, Refused? Refusal, TransferFunds? InitialDeposit = null);

/// <summary>
/// The in-memory account state a batch is decided against, in arrival order, so a later write sees an
/// earlier one's effect; each kind of write decides itself with these primitives (its own file). Pure
/// apart from collecting events: no I/O, the instant is passed in.
/// </summary>
public sealed class BatchDecisions(IReadOnlyDictionary<Guid, AccountRow> loaded, RiskLimits limits, DateTimeOffset now)
{
    private Dictionary<Guid, AccountState?> _states = loaded.ToDictionary(kv => kv.Key, kv => (AccountState?)kv.Value.State);
    private Dictionary<Guid, List<EventToAppend>> _pending = [];
    private List<Guid> _accountOrder = [];

    /// <summary>A copy of the in-memory state to go back to if an atomic group fails.</summary>
    public sealed record Snapshot(Dictionary<Guid, AccountState?> States, Dictionary<Guid, List<EventToAppend>> Pending, List<Guid> AccountOrder);

    public Snapshot Checkpoint() => new(
        new Dictionary<Guid, AccountState?>(_states),
        _pending.ToDictionary(kv => kv.Key, kv => kv.Value.ToList()),
        [.. _accountOrder]);

    public void Restore(Snapshot snapshot) => (_states, _pending, _accountOrder) = (snapshot.States, snapshot.Pending, snapshot.AccountOrder);

    public DateTimeOffset Now => now;

    public RiskLimits Limits => limits;

    /// <summary>The appends for every account touched, each expecting the version it had when loaded.</summary>
    /// <remarks>
    /// Settlement streams go first, so a customer account's own events are the last of a write that
    /// touches it: the position a write answers equals the position the account then reads back with.
    /// </remarks>
    public IReadOnlyList<StreamAppend> Appends() => _accountOrder.OrderBy(id => StateOf(id)?.IsSettlement != true).Select(id => new StreamAppend(
        id, loaded.TryGetValue(id, out var row) ? row.State.Version : 0, _pending[id])).ToList();

    public AccountState? StateOf(Guid accountId) => _states.GetValueOrDefault(accountId);

    /// <summary>The currency's settlement account, opened in this batch if it does not exist yet.</summary>
    public (Guid Id, AccountState State) EnsureSettlement(string currency)
    {
        var id = SettlementAccounts.IdFor(currency);
        if (StateOf(id) is { } existing) return (id, existing);
        var events = new List<IAccountEvent>();
        if (!Try(AccountDecider.Decide(SettlementAccounts.Open(currency, now), null), events, out var refusal))
            throw new InvalidOperationException($"Opening the {currency} settlement account was refused: {refusal.Detail}");
        Record(events);
        return (id, StateOf(id)!);
    }

    /// <summary>
    /// Takes the domain's decision: an acceptance adds its events to <paramref name="events"/>, a rejection
    /// becomes the contract's refusal (<paramref name="addressed"/>: see <see cref="RejectionCodes.ToRefusal"/>).
    /// </summary>
    public static bool Try(Decision decision, List<IAccountEvent> events, out Refused refusal, bool addressed = false)
    {
        switch (decision)
        {
            case Accepted accepted:
                events.AddRange(accepted.Events);
                refusal = null!;
                return true;
            case Rejected rejected:
                refusal = RejectionCodes.ToRefusal(rejected.Rejection, addressed);
                return false;
            default:
                throw new ArgumentOutOfRangeException(nameof(decision), decision.GetType().Name, null);
        }
    }

    public static WriteDecision Refuse(Refused refusal) => new([], null, refusal);

    /// <summary>Records the accepted events (evolving the in-memory state) and names the subject's state afterwards.</summary>
    public WriteDecision Accept(List<IAccountEvent> events, Guid? subject)
    {
        var ids = Record(events);
        return new WriteDecision(ids, subject is null ? null : StateOf(subject.Value), null);
    }

    /// <summary>Evolves the in-memory state with the events and queues them for their streams.</summary>
    private List<Guid> Record(List<IAccountEvent> events)
    {
        var ids = new List<Guid>(events.Count);
        foreach (var @event in events)
        {
            _states[@event.AccountId] = AccountEvolution.Evolve(StateOf(@event.AccountId), @event);
            if (!_pending.TryGetValue(@event.AccountId, out var list))
            {
                _pending[@event.AccountId] = list = [];
                _accountOrder.Add(@event.AccountId);
            }
            var id = Guid.CreateVersion7(now);
            list.Add(new EventToAppend(id, @event));
            ids.Add(id);
        }
        return ids;
    }
}
