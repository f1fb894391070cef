using Ledger.Api.Hosting;
using Ledger.Projections.Schema;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Api.Health;

/// <summary>
/// Readiness as three ASP.NET Core health checks: the database answers (AspNetCore.HealthChecks.NpgSql,
/// on the ledger's own data source), the schema is current, the projection daemon runs. The last two
/// know the ledger, so they are ours.
/// </summary>
public static class ReadinessChecks
{
    public const string Tag = "ready";
    public const string Database = "database";
    public const string Schema = "schema";
    public const string Daemon = "daemon";

    /// <summary>A probe must answer quickly even when the database hangs.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public static void AddLedgerReadiness(this IServiceCollection services) => services.AddHealthChecks()
        .AddNpgSql(name: Database, tags: [Tag], timeout: Timeout)
        .AddCheck<SchemaCurrent>(Schema, tags: [Tag], timeout: Timeout)
        .AddCheck<DaemonRunning>(Daemon, tags: [Tag]);

    private sealed class SchemaCurrent(SchemaMigrator migrator) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                return await migrator.IsCurrentAsync(cancellationToken)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("The schema has migrations not applied yet.");
            }
            catch (Exception e) when (DatabaseFaults.IsDatabase(e) || e is OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("The schema could not be read.", e);
            }
        }
    }

    private sealed class DaemonRunning(ProjectionDaemonState daemon) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(daemon.IsRunning ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The projection daemon is not running."));
    }
}
