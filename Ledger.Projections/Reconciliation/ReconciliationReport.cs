namespace Ledger.Projections.Reconciliation;

/// <summary>An account whose stored balance differs from the replayed one; <c>Source</c> names the store.</summary>
public sealed record BalanceMismatch(Guid AccountId, long Projected, long Replayed, string Source);

/// <summary>A transfer whose legs do not pair up: not exactly one debit and one credit of the same amount.</summary>
public sealed record LegProblem(Guid TransferId, string Problem);

public sealed record ReconciliationReport(
    Guid Id,
    DateTimeOffset? AsOf,
    DateTimeOffset StartedAt,
    long EventsReplayed,
    long AccountsChecked,
    IReadOnlyList<BalanceMismatch> Mismatches,
    IReadOnlyDictionary<string, long> TotalsByCurrency,
    IReadOnlyList<LegProblem> LegProblems,
    bool Balanced,
    long DurationMs,
    IReadOnlyDictionary<string, long> PendingByCurrency);
