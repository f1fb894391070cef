using System.Text.RegularExpressions;

namespace Ledger.EventStore;

/// <summary>The PostgreSQL schema that holds one event store; several stores can share a database.</summary>
public sealed partial record EventStoreSchema
{
    public EventStoreSchema(string name)
    {
        // The name is spliced into SQL text, so only plain identifiers are accepted.
        if (!IdentifierPattern().IsMatch(name))
            throw new ArgumentException($"Schema name '{name}' must match {IdentifierPattern()}.", nameof(name));
        Name = name;
    }

    public string Name { get; }

    /// <summary>The LISTEN/NOTIFY channel that announces committed appends in this schema.</summary>
    public string EventsChannel => $"{Name}_events";

    /// <summary>The LISTEN/NOTIFY channel that announces projection checkpoint moves in this schema.</summary>
    public string ProgressChannel => $"{Name}_progress";

    /// <summary>Replaces the <c>{schema}</c> placeholder in SQL text with the quoted-safe schema name.</summary>
    public string Sql(string sql) => sql.Replace("{schema}", Name, StringComparison.Ordinal);

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,40}$")]
    private static partial Regex IdentifierPattern();
}
