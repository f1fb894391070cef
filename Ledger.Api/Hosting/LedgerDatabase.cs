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
            await services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            return await services.GetRequiredService<SchemaMigrator>().MigrateAsync(ct);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection) { Parameters = { new() { Value = key } } };
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
