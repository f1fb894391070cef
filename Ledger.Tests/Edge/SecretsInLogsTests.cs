using System.Net;
using Ledger.Tests.Infrastructure;
using Npgsql;

namespace Ledger.Tests.Edge;

/// <summary>
/// Runs the real binary (production logging, JSON to stdout) with a unique database password and API
/// key, drives every kind of request at it, and searches everything it printed for either secret.
/// </summary>
public sealed class SecretsInLogsTests
{
    [Fact]
    public async Task neither_the_database_password_nor_an_api_key_ever_appears_in_the_logs()
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var role = $"leak_{suffix}";
        var password = $"Pw-{Guid.NewGuid():N}";
        var key = $"key-{Guid.NewGuid():N}";
        var admin = await TestDatabase.ConnectionStringAsync();
        await TestDatabase.ExecuteAsync($"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{password}'");
        var schema = TestDatabase.NewSchemaName("leak");
        string logs;
        try
        {
            var db = new NpgsqlConnectionStringBuilder(admin) { Username = role, Password = password }.ConnectionString;
            await using var process = await ApiProcess.StartAsync(new Dictionary<string, string>
            {
                ["LEDGER_DB"] = db,
                ["LEDGER_API_KEYS"] = $"{key}:operator",
                ["Ledger__Schema"] = schema,
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
            });
            using var http = process.Client(key);
            var account = await http.OpenAccountAsync(initialBalance: 50);
            await http.PostRawAsync("/transfers", "{ not json");
            await http.GetAsync($"/accounts/{account}");
            await http.GetAsync("/admin/projections");
            using var wrong = process.Client(key + "x");
            (await wrong.GetAsync($"/accounts/{account}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

            await process.KillAsync();
            logs = process.Output;
        }
        finally
        {
            await TestDatabase.ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE");
            await TestDatabase.ExecuteAsync($"DROP ROLE IF EXISTS {role}");
        }

        logs.ShouldContain("/accounts"); // the request log lines were captured
        // One line per request, with the fields it has always had (Serilog.AspNetCore's request logging).
        logs.ShouldContain("\"SourceContext\":\"Ledger.Api.Hosting.RequestLogging\"");
        logs.ShouldContain("\"Method\":\"GET\",\"Route\":\"/accounts/{id}\",\"Status\":200");
        logs.ShouldContain("\"KeyName\":\"operator-");
        logs.ShouldNotContain(password);
        logs.ShouldNotContain(key);
    }
}
