using Ledger.Domain;
using Ledger.Domain.Accounts;
using Ledger.Domain.Holds;
using Ledger.Domain.Risk;
using Ledger.Domain.Transfers;
using Ledger.Projections.Accounts;
using Ledger.Projections.Holds;
using Ledger.Projections.Store;

namespace Ledger.Api.Writes;

/// <summary>
/// What one write decided: its events (possibly none), the state of its subject afterwards (an account,
/// or a two-phase transfer's hold), or a refusal. Opening an account with an initial balance also books a
/// deposit, named here so it can be remembered.
/// </summary>
public sealed record WriteDecision(
    IReadOnlyList<Guid> EventIds, AccountState? SubjectAfter, Refused? Refusal, TransferFunds? InitialDeposit = null,
    TransferHold? HoldAfter = null, IReadOnlyDictionary<string, string>? HoldMetadata = null);

/// <summary>
/// The in-memory account and hold state a batch is decided against, in arrival order, so a later write
/// sees an earlier one's effect; each kind of write decides itself with these primitives (its own file).
/// Pure apart from collecting events: no I/O, the instant is passed in.
/// </summary>
public sealed class BatchDecisions(
    IReadOnlyDictionary<Guid, AccountRow> loaded, IReadOnlyDictionary<Guid, HoldRow> loadedHolds, RiskLimits limits, DateTimeOffset now)
{
    private Dictionary<Guid, AccountState?> _states = loaded.ToDictionary(kv => kv.Key, kv => (AccountState?)kv.Value.State);
    private Dictionary<Guid, TransferHold> _holds = loadedHolds.ToDictionary(kv => kv.Key, kv => kv.Value.State);
    private Dictionary<Guid, IReadOnlyDictionary<string, string>?> _placedMetadata = [];
    private Dictionary<Guid, List<EventToAppend>> _pending = [];
    private List<Guid> _accountOrder = [];
    private List<Guid> _holdOrder = [];

    /// <summary>A copy of the in-memory state to go back to if an atomic group fails.</summary>
    public sealed record Snapshot(
        Dictionary<Guid, AccountState?> States, Dictionary<Guid, TransferHold> Holds, Dictionary<Guid, IReadOnlyDictionary<string, string>?> PlacedMetadata,
        Dictionary<Guid, List<EventToAppend>> Pending, List<Guid> AccountOrder, List<Guid> HoldOrder);

    public Snapshot Checkpoint() => new(
        new Dictionary<Guid, AccountState?>(_states),
        new Dictionary<Guid, TransferHold>(_holds),
        new Dictionary<Guid, IReadOnlyDictionary<string, string>?>(_placedMetadata),
        _pending.ToDictionary(kv => kv.Key, kv => kv.Value.ToList()),
        [.. _accountOrder],
        [.. _holdOrder]);

    public void Restore(Snapshot snapshot) => (_states, _holds, _placedMetadata, _pending, _accountOrder, _holdOrder) =
        (snapshot.States, snapshot.Holds, snapshot.PlacedMetadata, snapshot.Pending, snapshot.AccountOrder, snapshot.HoldOrder);

    public DateTimeOffset Now => now;

    public RiskLimits Limits => limits;

    /// <summary>The appends for every account touched, each expecting the version it had when loaded.</summary>
    /// <remarks>
    /// Settlement streams go first, so a customer account's own events are the last of a write that
    /// touches it: the position a write answers equals the position the account then reads back with.
    /// Hold streams go last, so a write on a hold answers with its hold event's position, the one the
    /// hold's row keeps: the same post or void sent again answers exactly as the first time.
    /// </remarks>
    public IReadOnlyList<StreamAppend> Appends() => _accountOrder.OrderBy(id => StateOf(id)?.IsSettlement != true).Select(id => new StreamAppend(
            id, loaded.TryGetValue(id, out var row) ? row.State.Version : 0, _pending[id]))
        .Concat(_holdOrder.Select(id => new StreamAppend(id, loadedHolds.TryGetValue(id, out var hold) ? hold.State.Version : 0, _pending[id])))
        .ToList();

    public AccountState? StateOf(Guid accountId) => _states.GetValueOrDefault(accountId);

    public TransferHold? HoldOf(Guid transferId) => _holds.GetValueOrDefault(transferId);

    /// <summary>Where the hold's stream stood when loaded: the position of a decision that wrote nothing.</summary>
    public LogPosition LoadedPositionOf(Guid transferId) => loadedHolds[transferId].LastAt;

    /// <summary>Every hold the batch changed, with its metadata, for the write side's hold rows.</summary>
    public IEnumerable<(TransferHold Hold, IReadOnlyDictionary<string, string>? Metadata)> ChangedHolds() => _holdOrder.Select(id =>
        (_holds[id], MetadataOf(id)));

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

    /// <summary>
    /// Takes a decision on a hold: an acceptance records the hold's event on its own stream and the account
    /// events on theirs; an unchanged hold writes nothing and answers as it stands.
    /// </summary>
    public WriteDecision Hold(HoldDecision decision, IReadOnlyDictionary<string, string>? placedWith = null) => decision switch
    {
        HoldAccepted accepted => RecordHold(accepted, placedWith),
        HoldUnchanged unchanged => new WriteDecision([], null, null, HoldAfter: unchanged.Hold, HoldMetadata: MetadataOf(unchanged.Hold.TransferId)),
        HoldRejected rejected => Refuse(RejectionCodes.ToRefusal(rejected.Rejection)),
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision.GetType().Name, null),
    };

    private WriteDecision RecordHold(HoldAccepted accepted, IReadOnlyDictionary<string, string>? placedWith)
    {
        var transferId = accepted.HoldEvent.TransferId;
        var hold = TransferHoldEvolution.Evolve(HoldOf(transferId), accepted.HoldEvent);
        _holds[transferId] = hold;
        if (accepted.HoldEvent is HoldPlaced) _placedMetadata[transferId] = placedWith;
        var ids = new List<Guid> { Queue(transferId, accepted.HoldEvent, ref _holdOrder) };
        ids.AddRange(Record([.. accepted.AccountEvents]));
        return new WriteDecision(ids, null, null, HoldAfter: hold, HoldMetadata: MetadataOf(transferId));
    }

    private IReadOnlyDictionary<string, string>? MetadataOf(Guid transferId) =>
        _placedMetadata.TryGetValue(transferId, out var placed) ? placed : loadedHolds.GetValueOrDefault(transferId)?.Metadata;

    private Guid Queue(Guid streamId, object @event, ref List<Guid> order)
    {
        if (!_pending.TryGetValue(streamId, out var list))
        {
            _pending[streamId] = list = [];
            order.Add(streamId);
        }
        var id = Guid.CreateVersion7(now);
        list.Add(new EventToAppend(id, @event));
        return id;
    }

    /// <summary>Evolves the in-memory state with the events and queues them for their streams.</summary>
    private List<Guid> Record(List<IAccountEvent> events)
    {
        var ids = new List<Guid>(events.Count);
        foreach (var @event in events)
        {
            _states[@event.AccountId] = AccountEvolution.Evolve(StateOf(@event.AccountId), @event);
            ids.Add(Queue(@event.AccountId, @event, ref _accountOrder));
        }
        return ids;
    }
}
