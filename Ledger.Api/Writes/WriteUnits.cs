
namespace Ledger.Api.Writes;

/// <summary>
/// A commit batch flattened into decision units: every write is one unit, except a transfer batch,
/// whose items are units of their own (an atomic one forms a group that stands or falls together).
/// </summary>
public sealed class WriteUnits
{
    private readonly IReadOnlyList<LedgerWrite> _writes;
    private readonly int[] _firstUnit;

    private WriteUnits(IReadOnlyList<LedgerWrite> writes, List<DecidedWrite> items, int[] firstUnit, List<(int Start, int Count)> atomicGroups)
    {
        _writes = writes;
        Items = items;
        _firstUnit = firstUnit;
        AtomicGroups = atomicGroups;
    }

    public IReadOnlyList<DecidedWrite> Items { get; }

    /// <summary>Unit ranges of atomic transfer batches.</summary>
    public IReadOnlyList<(int Start, int Count)> AtomicGroups { get; }

    public static WriteUnits Of(IReadOnlyList<LedgerWrite> writes)
    {
        var items = new List<DecidedWrite>(writes.Sum(w => w.Weight));
        var firstUnit = new int[writes.Count];
        var groups = new List<(int, int)>();
        for (var i = 0; i < writes.Count; i++)
        {
            firstUnit[i] = items.Count;
            switch (writes[i])
            {
                case TransferBatchWrite batch:
                    if (batch.Atomic) groups.Add((items.Count, batch.Items.Count));
                    items.AddRange(batch.Items);
                    break;
                case DecidedWrite unit:
                    items.Add(unit);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(writes), writes[i].GetType().Name, "Neither a decision nor a batch of them.");
            }
        }
        return new WriteUnits(writes, items, firstUnit, groups);
    }

    /// <summary>One outcome per original write: a transfer batch answers 200 with a result per item, in order.</summary>
    public IReadOnlyList<WriteOutcome> Assemble(IReadOnlyList<WriteOutcome> unitOutcomes)
    {
        var outcomes = new WriteOutcome[_writes.Count];
        for (var i = 0; i < _writes.Count; i++)
        {
            outcomes[i] = _writes[i] is TransferBatchWrite batch
                ? Batch(batch, unitOutcomes.Skip(_firstUnit[i]).Take(batch.Items.Count).ToList())
                : unitOutcomes[_firstUnit[i]];
        }
        return outcomes;
    }

    private static Committed Batch(TransferBatchWrite batch, IReadOnlyList<WriteOutcome> items) =>
        new(new BatchResult(batch.Items.Select((item, i) => new BatchItem(item.Id, items[i])).ToList()), Replayed: false);
}
