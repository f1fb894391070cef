using Ledger.Projections.Store;

namespace Ledger.Api.Writes;

/// <summary>A write waiting for the pipeline. The pipeline stamps the instant when its batch starts.</summary>
public abstract record LedgerWrite(string Actor)
{
    public abstract string Operation { get; }

    /// <summary>How many decisions the write takes; the committer bounds a transaction by the sum.</summary>
    public virtual int Weight => 1;
}

/// <summary>
/// A write the batch decides on its own: one file per kind owns which accounts it touches, how it is
/// decided against their state, what its audit entry names and says, and what it answers.
/// </summary>
public abstract record DecidedWrite(string Actor) : LedgerWrite(Actor)
{
    /// <summary>Every account whose state the decision needs (loaded and locked before deciding).</summary>
    public abstract IEnumerable<Guid> Accounts { get; }

    /// <summary>Every two-phase transfer whose hold the decision needs (loaded and locked with the accounts).</summary>
    public virtual IEnumerable<Guid> Holds => [];

    public abstract WriteDecision Decide(BatchDecisions decisions);

    public abstract IReadOnlyList<Guid> AuditSubjects { get; }

    public abstract string Describe();

    /// <summary>What the write recorded, once the decision's events have their position.</summary>
    public abstract WriteResult Result(WriteDecision decided, LogPosition position, DateTimeOffset now);
}

/// <summary>A write that creates something under an id; the id is its idempotency key.</summary>
public abstract record IdempotentWrite(Guid Id, byte[] RequestHash, string Actor) : DecidedWrite(Actor);
