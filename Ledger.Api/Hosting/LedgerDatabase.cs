using Ledger.Projections.Rebuilds;
using Ledger.Projections.Schema;
using Marten;
using Npgsql;

namespace Ledger.Api.Hosting;

/// <summary>Brings the database up to date: Marten's own tables and functions first, then the ledger's tables beside them.</summary>
public static class LedgerDatabase
{
    /// <remarks>
    /// Instances starting together would race Marten's DDL (seen in the two-instances chaos scenario:
    /// "DDL Execution for 'All Configured Changes' Failed"), so the whole migration runs under a session
    /// advisory lock per schema; the second instance waits and then finds nothing left to do.
    /// </remarks>
    public static async Task<IReadOnlyList<Migration>> MigrateAsync(IServiceProvider services, CancellationToken ct)
    {
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        var key = SessionLock.KeyFor(services.GetRequiredService<LedgerSchema>(), "migrate");
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection) { Parameters = { new() { Value = key } } })
            await take.ExecuteNonQueryAsync(ct);
        try
        {
            await RefuseTheStoreBeforeMartenAsync(connection, services.GetRequiredService<LedgerSchema>(), ct);
            await services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            return await services.GetRequiredService<SchemaMigrator>().MigrateAsync(ct);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection) { Parameters = { new() { Value = key } } };
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// A schema written by the ledger before its move to Marten keeps its events in tables of its own
    /// (<c>events</c>, <c>streams</c>) that this version neither reads nor converts, and its ledger tables
    /// have another shape under the same migration version. Starting on it would look like an empty
    /// ledger and then fail on the first write, so it is refused with a line that says what to do.
    /// </summary>
    private static async Task RefuseTheStoreBeforeMartenAsync(NpgsqlConnection connection, LedgerSchema schema, CancellationToken ct)
    {
        await using var probe = new NpgsqlCommand(
            "SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL", connection)
        {
            Parameters = { new() { Value = $"{schema.Name}.events" }, new() { Value = $"{schema.Name}.streams" } },
        };
        if ((bool)(await probe.ExecuteScalarAsync(ct))!)
            throw new InvalidOperationException(
                $"schema '{schema.Name}' holds the ledger's event store from before its move to Marten (tables events and streams), " +
                "which this version cannot read; give it a new schema (Ledger:Schema) or database, or stay on the earlier version for this one.");
    }
}
