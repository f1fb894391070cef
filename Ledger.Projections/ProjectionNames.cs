namespace Ledger.Projections;

/// <summary>The stored names of the ledger's projections: checkpoint rows, admin status, rebuild targets.</summary>
public static class ProjectionNames
{
    public const string Balances = "balances";
    public const string Transactions = "transactions";
    public const string Audit = "audit";
}
