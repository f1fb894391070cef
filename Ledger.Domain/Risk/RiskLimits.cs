using System.Collections.Frozen;

namespace Ledger.Domain.Risk;

public sealed record RiskLimits(
    IReadOnlyDictionary<string, long> MaxTransferMinorByCurrency,
    IReadOnlyDictionary<string, long> MaxDailyDebitMinorByCurrency,
    IReadOnlySet<Guid> BlockedAccountIds)
{
    public static RiskLimits None { get; } = new(
        FrozenDictionary<string, long>.Empty,
        FrozenDictionary<string, long>.Empty,
        FrozenSet<Guid>.Empty);
}
