namespace Ledger.Projections.Schema;

/// <summary>One versioned schema change of a module; <c>{schema}</c> in the SQL is replaced by the schema name.</summary>
public sealed record Migration(string Module, int Version, string Name, string Sql);
