namespace Ledger.Projections;

/// <summary>The names of the ledger's projections: Marten's projection (shard) names, admin status, rebuild targets.</summary>
public static class ProjectionNames
{
    public const string Balances = "balances";
    public const string Transactions = "transactions";
    public const string Audit = "audit";
}
