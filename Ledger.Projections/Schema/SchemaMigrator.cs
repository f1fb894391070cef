using Npgsql;

namespace Ledger.Projections.Schema;

/// <summary>
/// Applies versioned migrations idempotently. Every run holds a transaction-scoped advisory lock
/// keyed by the schema, so two processes starting at once apply each migration exactly once.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, LedgerSchema schema, IEnumerable<Migration> migrations)
{
    private readonly IReadOnlyList<Migration> _migrations = migrations
        .OrderBy(m => m.Module, StringComparer.Ordinal).ThenBy(m => m.Version).ToList();

    /// <summary>Applies what is missing and returns the migrations applied by this call.</summary>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await Execute(connection, tx, "SELECT pg_advisory_xact_lock(hashtext('ledger.migrations:' || @schema))", ct);
        await Execute(connection, tx, schema.Sql("""
            CREATE SCHEMA IF NOT EXISTS {schema};
            CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
                module      text        NOT NULL,
                version     int         NOT NULL,
                name        text        NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (module, version)
            );
            """), ct);

        var applied = await AppliedAsync(connection, tx, ct);
        var newlyApplied = new List<Migration>();
        foreach (var migration in _migrations.Where(m => !applied.Contains((m.Module, m.Version))))
        {
            await Execute(connection, tx, schema.Sql(migration.Sql), ct);
            await using var record = new NpgsqlCommand(schema.Sql(
                "INSERT INTO {schema}.schema_migrations (module, version, name) VALUES (@module, @version, @name)"), connection, tx);
            record.Parameters.AddWithValue("module", migration.Module);
            record.Parameters.AddWithValue("version", migration.Version);
            record.Parameters.AddWithValue("name", migration.Name);
            await record.ExecuteNonQueryAsync(ct);
            newlyApplied.Add(migration);
        }

        await tx.CommitAsync(ct);
        return newlyApplied;
    }

    /// <summary>True when every known migration is recorded as applied (used by readiness checks).</summary>
    public async Task<bool> IsCurrentAsync(CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection);
        exists.Parameters.AddWithValue("table", $"{schema.Name}.schema_migrations");
        if (!(bool)(await exists.ExecuteScalarAsync(ct))!) return false;
        var applied = await AppliedAsync(connection, null, ct);
        return _migrations.All(m => applied.Contains((m.Module, m.Version)));
    }

    private async Task<HashSet<(string, int)>> AppliedAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var query = new NpgsqlCommand(schema.Sql("SELECT module, version FROM {schema}.schema_migrations"), connection, tx);
        await using var reader = await query.ExecuteReaderAsync(ct);
        var applied = new HashSet<(string, int)>();
        while (await reader.ReadAsync(ct)) applied.Add((reader.GetString(0), reader.GetInt32(1)));
        return applied;
    }

    private async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        if (sql.Contains("@schema", StringComparison.Ordinal)) command.Parameters.AddWithValue("schema", schema.Name);
        await command.ExecuteNonQueryAsync(ct);
    }
}
