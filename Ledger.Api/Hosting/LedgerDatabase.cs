using Ledger.Projections.Schema;
using Marten;

namespace Ledger.Api.Hosting;

/// <summary>Brings the database up to date: Marten's own tables and functions first, then the ledger's tables beside them.</summary>
public static class LedgerDatabase
{
    public static async Task<IReadOnlyList<Migration>> MigrateAsync(IServiceProvider services, CancellationToken ct)
    {
        await services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return await services.GetRequiredService<SchemaMigrator>().MigrateAsync(ct);
    }
}
