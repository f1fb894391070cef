using System.Net;
using System.Text.Json.Nodes;
using Ledger.EventStore.Daemon;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Edge;

/// <summary>
/// /health/ready through ASP.NET Core's health checks: each class starts from a state of its own (all
/// well, daemon stopped, a migration missing), on its own schema, since two of them break the host.
/// </summary>
internal static class Readiness
{
    public static async Task<(HttpStatusCode Status, JsonNode Body)> ReadAsync(LedgerApiFactory api)
    {
        var (status, body) = await api.Client(null).GetJsonAsync("/health/ready");
        return (status, body!);
    }

    public static void ShouldName(this JsonNode body, string status, bool database, bool schema, bool daemon) =>
        (body["status"]!.GetValue<string>(), body["database"]!.GetValue<bool>(), body["schema"]!.GetValue<bool>(), body["daemon"]!.GetValue<bool>())
            .ShouldBe((status, database, schema, daemon));
}

public sealed class ReadinessOfAHealthyApiTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task ready_is_200_and_names_the_database_the_schema_and_the_daemon()
    {
        var (status, body) = await Readiness.ReadAsync(api);

        status.ShouldBe(HttpStatusCode.OK);
        body.ShouldName("ready", database: true, schema: true, daemon: true);
    }
}

public sealed class ReadinessWithTheDaemonStoppedTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task ready_is_503_naming_the_daemon_once_the_projection_daemon_stops()
    {
        await api.Service<ProjectionDaemon>().StopAsync(CancellationToken.None);

        var (status, body) = await Readiness.ReadAsync(api);

        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        body.ShouldName("unavailable", database: true, schema: true, daemon: false);
    }
}

public sealed class ReadinessWithAMigrationMissingTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task ready_is_503_naming_the_schema_when_a_migration_is_not_applied()
    {
        await api.ExecuteAsync("DELETE FROM {schema}.schema_migrations WHERE version = (SELECT max(version) FROM {schema}.schema_migrations)");

        var (status, body) = await Readiness.ReadAsync(api);

        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        body.ShouldName("unavailable", database: true, schema: false, daemon: true);
    }
}
