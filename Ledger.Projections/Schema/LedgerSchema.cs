using System.Text.RegularExpressions;

namespace Ledger.Projections.Schema;

/// <summary>
/// The PostgreSQL schema that holds one ledger: Marten's event and document tables and the ledger's own
/// tables beside them. Several ledgers (each test class, for one) can share a database.
/// </summary>
public sealed partial record LedgerSchema
{
    public LedgerSchema(string name)
    {
        // The name is spliced into SQL text, so only plain identifiers are accepted.
        if (!IdentifierPattern().IsMatch(name))
            throw new ArgumentException($"Schema name '{name}' must match {IdentifierPattern()}.", nameof(name));
        Name = name;
    }

    public string Name { get; }

    /// <summary>Replaces the <c>{schema}</c> placeholder in SQL text with the schema name.</summary>
    public string Sql(string sql) => sql.Replace("{schema}", Name, StringComparison.Ordinal);

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,40}$")]
    private static partial Regex IdentifierPattern();
}
