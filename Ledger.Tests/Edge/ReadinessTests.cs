using System.Net;
using Ledger.Api.Hosting;
using Alba;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Edge;

/// <summary>
/// /health/ready through ASP.NET Core's health checks: each class starts from a state of its own (all
/// well, daemon stopped, a migration missing), on its own schema, since two of them break the host.
/// </summary>
internal static class Readiness
{
    /// <summary>Reads /health/ready without a key and checks its status code and what its body says of each check.</summary>
    public static async Task ShouldBeReadyAsync(this LedgerApiFactory api, bool ready, bool database = true, bool schema = true, bool daemon = true)
    {
        var (status, body) = await api.Client(null).GetJsonAsync("/health/ready");

        status.ShouldBe(ready ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable);
        (body!["status"]!.GetValue<string>(), body["database"]!.GetValue<bool>(), body["schema"]!.GetValue<bool>(), body["daemon"]!.GetValue<bool>())
            .ShouldBe((ready ? "ready" : "unavailable", database, schema, daemon));
    }
}

public sealed class ReadinessOfAHealthyApiTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public Task ready_is_200_and_names_the_database_the_schema_and_the_daemon() => api.ShouldBeReadyAsync(ready: true);

    [Fact]
    public Task live_answers_200_without_a_key() => api.Host.Scenario(s =>
    {
        s.Get.Url("/health/live");
        s.StatusCodeShouldBeOk();
        s.ContentShouldContain("\"live\"");
    });
}

public sealed class ReadinessWithTheDaemonStoppedTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task ready_is_503_naming_the_daemon_once_the_projection_daemon_stops()
    {
        await api.Service<ProjectionDaemonState>().StopAsync(CancellationToken.None);
        await api.ShouldBeReadyAsync(ready: false, daemon: false);
    }
}

public sealed class ReadinessWithAMigrationMissingTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task ready_is_503_naming_the_schema_when_a_migration_is_not_applied()
    {
        await api.ExecuteAsync("DELETE FROM {schema}.schema_migrations WHERE version = (SELECT max(version) FROM {schema}.schema_migrations)");
        await api.ShouldBeReadyAsync(ready: false, schema: false);
    }
}
