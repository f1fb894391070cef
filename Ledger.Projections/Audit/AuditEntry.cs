namespace Ledger.Projections.Audit;

/// <summary>What a write asks the audit trail to record; the trail adds sequence, time and hashes.</summary>
public sealed record AuditDraft(string Actor, string Operation, IReadOnlyList<Guid> SubjectIds, bool Accepted, string? Code, string Detail);

/// <summary>One stored link of the hash chain.</summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset At,
    string Actor,
    string Operation,
    IReadOnlyList<Guid> SubjectIds,
    string Outcome,
    string? Code,
    string Detail,
    string PreviousHash,
    string Hash);

/// <summary>The last link of the chain: where the next entry attaches.</summary>
public readonly record struct AuditHead(long Sequence, string Hash)
{
    public static string GenesisHash { get; } = new('0', 64);
}
